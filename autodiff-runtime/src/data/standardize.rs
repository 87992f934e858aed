//! Standardization: features shifted to mean 0 and scaled to standard deviation 1.

use num_traits::Float;

use super::{invalid, Dataset};
#[cfg(doc)]
use crate::Error;
use crate::Result;

/// Standardization: each feature shifted to mean 0 and scaled to standard deviation 1, with
/// the statistics of the data it was fitted on (fit on the training split only, then
/// transform both splits).
///
/// The standard deviation is the population one (divide by `n`). A constant column (zero
/// variance, up to rounding) is only centred: its scale is 1, so it becomes all zeros instead
/// of NaN.
///
/// ```
/// use autodiff_runtime::data::{Dataset, Standardizer};
///
/// let train = Dataset::regression(vec![vec![1.0, 5.0], vec![3.0, 5.0]], vec![0.0, 1.0])?;
/// let scaler = Standardizer::fit(&train);
/// assert_eq!(scaler.mean(), &[2.0, 5.0]);
/// assert_eq!(scaler.scale(), &[1.0, 1.0]); // column 1 is constant
/// assert_eq!(scaler.transform(&train)?.features(), &[-1.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<T = f64> {
    mean: Vec<T>,
    scale: Vec<T>,
}

impl<T: Float> Standardizer<T> {
    /// The mean and standard deviation of every feature of `data` (computed in `f64`).
    pub fn fit(data: &Dataset<T>) -> Standardizer<T> {
        let d = data.n_features();
        let n = data.len() as f64;
        let f = |x: &T| x.to_f64().unwrap_or(f64::NAN);
        let mut mean = vec![0.0; d];
        for row in data.rows() {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += f(x);
            }
        }
        for m in &mut mean {
            *m /= n;
        }
        // two passes: the variance of centred values does not cancel catastrophically
        let mut var = vec![0.0; d];
        for row in data.rows() {
            for ((v, x), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (f(x) - m) * (f(x) - m);
            }
        }
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(v, m)| {
                let std = (v / n).sqrt();
                // rounding leaves a constant column with a std of a few ulps of its mean
                if std <= 10.0 * f64::EPSILON * m.abs().max(1.0) {
                    T::one()
                } else {
                    T::from(std).unwrap_or_else(T::one)
                }
            })
            .collect();
        let mean = mean
            .iter()
            .map(|&m| T::from(m).unwrap_or_else(T::zero))
            .collect();
        Standardizer { mean, scale }
    }

    /// The fitted mean of every feature.
    pub fn mean(&self) -> &[T] {
        &self.mean
    }

    /// What every centred feature is divided by: its standard deviation, or 1 for a constant
    /// column.
    pub fn scale(&self) -> &[T] {
        &self.scale
    }

    /// `data` with every feature standardized.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `data` has a different number of features than the fitted
    /// data.
    pub fn transform(&self, data: &Dataset<T>) -> Result<Dataset<T>> {
        let mut out = data.clone();
        self.transform_in_place(&mut out)?;
        Ok(out)
    }

    /// Standardizes `data` in place.
    ///
    /// # Errors
    ///
    /// As [`Standardizer::transform`].
    pub fn transform_in_place(&self, data: &mut Dataset<T>) -> Result<()> {
        self.check_width(data.n_features)?;
        for row in data.features.chunks_exact_mut(data.n_features) {
            self.apply(row);
        }
        Ok(())
    }

    /// Standardizes one row (a new input at prediction time).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `row.len()` differs from the fitted number of features.
    pub fn transform_row(&self, row: &mut [T]) -> Result<()> {
        self.check_width(row.len())?;
        self.apply(row);
        Ok(())
    }

    fn apply(&self, row: &mut [T]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
            *x = (*x - *m) / *s;
        }
    }

    fn check_width(&self, n_features: usize) -> Result<()> {
        if n_features == self.mean.len() {
            Ok(())
        } else {
            Err(invalid(format!(
                "the standardizer was fitted on {} features but the data has {n_features}",
                self.mean.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::datasets;
    use crate::Error;

    #[test]
    fn standardizer_is_fitted_on_train_only() {
        let data = datasets::wine();
        let (train, test) = data.stratified_split(0.3, 3).unwrap();
        let scaler = Standardizer::fit(&train);
        let train_s = scaler.transform(&train).unwrap();
        let test_s = scaler.transform(&test).unwrap();
        let stats = |d: &Dataset| {
            let s = Standardizer::fit(d);
            (s.mean().to_vec(), s.scale().to_vec())
        };
        let (train_mean, train_std) = stats(&train_s);
        for (m, s) in train_mean.iter().zip(&train_std) {
            assert!(m.abs() < 1e-12, "train mean {m}");
            assert!((s - 1.0).abs() < 1e-12, "train std {s}");
        }
        // the test split is transformed with the training statistics, so its own are off
        let (test_mean, test_std) = stats(&test_s);
        assert!(test_mean.iter().any(|m| m.abs() > 1e-3));
        assert!(test_std.iter().any(|s| (s - 1.0).abs() > 1e-3));
        // and a standardizer fitted on everything is a different one
        assert_ne!(Standardizer::fit(&data), scaler);
        // same transform, row by row
        let mut row = test.row(0).to_vec();
        scaler.transform_row(&mut row).unwrap();
        assert_eq!(row, test_s.row(0));
    }

    #[test]
    fn standardizer_handles_constant_columns_and_checks_width() {
        let rows = vec![
            vec![0.1, 1.0, 7.0],
            vec![0.1, 2.0, 7.0],
            vec![0.1, 3.0, 7.0],
        ];
        let data = Dataset::regression(rows, vec![0.0; 3]).unwrap();
        let scaler = Standardizer::fit(&data);
        assert_eq!(scaler.scale()[0], 1.0);
        assert_eq!(scaler.scale()[2], 1.0);
        let out = scaler.transform(&data).unwrap();
        assert!(out.features().iter().all(|v| v.is_finite()));
        assert!(out.rows().all(|r| r[0].abs() < 1e-15 && r[2] == 0.0));
        let narrow = Dataset::regression(vec![vec![1.0, 2.0]], vec![0.0]).unwrap();
        assert!(matches!(
            scaler.transform(&narrow),
            Err(Error::InvalidData(_))
        ));
        assert!(scaler.transform_row(&mut [1.0]).is_err());
    }
}
