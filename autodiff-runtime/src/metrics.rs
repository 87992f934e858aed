//! Evaluation: predictions over a dataset, classification metrics (accuracy, a confusion
//! matrix with precision, recall and F1) and regression metrics (RMSE, MAE, R²).
//!
//! A model is evaluated with the same function it is trained with: [`predict`] calls it on
//! every row of a [`Dataset`] (as the fixed-size array a `#[grad]` function takes), and the
//! metrics compare the predictions with the targets.
//!
//! ```
//! use autodiff_runtime::data::Dataset;
//! use autodiff_runtime::metrics::{accuracy, predict, ConfusionMatrix};
//!
//! // a threshold on the first feature
//! let data = Dataset::classification(
//!     vec![vec![0.1, 5.0], vec![0.7, 1.0], vec![0.4, 2.0], vec![0.9, 0.0]],
//!     vec![0, 1, 1, 1],
//! )?;
//! let classify = |x: &[f64; 2]| usize::from(x[0] > 0.5);
//! let predicted = predict(&data, classify);
//! assert_eq!(predicted, [0, 1, 0, 1]);
//! assert_eq!(accuracy(&predicted, data.labels()?), 0.75);
//!
//! let matrix = ConfusionMatrix::of(&data, classify)?;
//! assert_eq!(matrix.count(1, 0), 1); // one 1 predicted as 0
//! assert_eq!((matrix.precision(1), matrix.recall(1)), (1.0, 2.0 / 3.0));
//! # Ok::<(), autodiff_runtime::Error>(())
//! ```

use std::fmt;

use num_traits::Float;

use crate::data::Dataset;
use crate::{Error, Result};

/// `model` applied to every row of `data`, in order. The rows are passed as `&[T; N]`, the
/// shape `#[grad]` functions take.
///
/// # Panics
///
/// If `N` differs from `data.n_features()`.
pub fn predict<T: Float, Y, const N: usize>(
    data: &Dataset<T>,
    mut model: impl FnMut(&[T; N]) -> Y,
) -> Vec<Y> {
    (0..data.len()).map(|i| model(data.row_array(i))).collect()
}

/// The fraction of predictions equal to their target: class labels, or anything comparable
/// (`[bool; L]` for multi-label predictions: all labels right).
///
/// # Panics
///
/// If the slices have different lengths or are empty.
pub fn accuracy<Y: PartialEq>(predicted: &[Y], actual: &[Y]) -> f64 {
    check_lengths(predicted.len(), actual.len());
    let hits = predicted.iter().zip(actual).filter(|(p, a)| p == a).count();
    hits as f64 / actual.len() as f64
}

/// The root mean squared error `sqrt(mean((p - a)²))`.
///
/// ```
/// use autodiff_runtime::metrics::{mae, r2, rmse};
///
/// let (predicted, actual) = ([2.0, 4.0, 5.0], [1.0, 4.0, 7.0]);
/// assert_eq!(rmse(&predicted, &actual), (5.0f64 / 3.0).sqrt());
/// assert_eq!(mae(&predicted, &actual), 1.0);
/// // 1 - (1 + 0 + 4) / (9 + 0 + 9)
/// assert_eq!(r2(&predicted, &actual), 1.0 - 5.0 / 18.0);
/// ```
///
/// # Panics
///
/// If the slices have different lengths or are empty.
pub fn rmse<T: Float>(predicted: &[T], actual: &[T]) -> f64 {
    (sum_of(predicted, actual, |e| e * e) / actual.len() as f64).sqrt()
}

/// The mean absolute error `mean(|p - a|)`.
///
/// # Panics
///
/// If the slices have different lengths or are empty.
pub fn mae<T: Float>(predicted: &[T], actual: &[T]) -> f64 {
    sum_of(predicted, actual, f64::abs) / actual.len() as f64
}

/// The coefficient of determination `1 - Σ(p - a)² / Σ(a - mean(a))²`: 1 for perfect
/// predictions, 0 for predicting the mean, negative for worse. When the targets are all equal
/// it is 1 for perfect predictions and 0 otherwise (as in scikit-learn).
///
/// # Panics
///
/// If the slices have different lengths or are empty.
pub fn r2<T: Float>(predicted: &[T], actual: &[T]) -> f64 {
    let residual = sum_of(predicted, actual, |e| e * e);
    let n = actual.len() as f64;
    let mean = actual.iter().map(|&a| to_f64(a)).sum::<f64>() / n;
    let total: f64 = actual.iter().map(|&a| (to_f64(a) - mean).powi(2)).sum();
    if total > 0.0 {
        1.0 - residual / total
    } else if residual == 0.0 {
        1.0
    } else {
        0.0
    }
}

/// `Σ f(p - a)` in `f64`.
fn sum_of<T: Float>(predicted: &[T], actual: &[T], f: impl Fn(f64) -> f64) -> f64 {
    check_lengths(predicted.len(), actual.len());
    predicted
        .iter()
        .zip(actual)
        .map(|(&p, &a)| f(to_f64(p) - to_f64(a)))
        .sum()
}

fn to_f64<T: Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

#[track_caller]
fn check_lengths(predicted: usize, actual: usize) {
    assert!(
        predicted == actual && actual > 0,
        "autodiff: {predicted} predictions for {actual} targets (need the same number, at least 1)"
    );
}

/// Counts of (actual class, predicted class) pairs, with the per-class metrics derived from
/// them. Precision, recall and F1 of a class that is never predicted (or never present) are
/// 0, as scikit-learn's `zero_division=0`.
///
/// Its `Display` is a table with a row per actual class and the per-class metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    names: Vec<String>,
    /// Row-major: `counts[actual * k + predicted]`.
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// The matrix of `predicted` against `actual` labels, for classes `0..n_classes` (named
    /// by their index).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the slices have different lengths or are empty, or a label is
    /// `>= n_classes`.
    pub fn new(predicted: &[usize], actual: &[usize], n_classes: usize) -> Result<Self> {
        let names = (0..n_classes).map(|c| c.to_string()).collect();
        Self::named(predicted, actual, names)
    }

    /// The matrix of `classify` on every row of `data` against its labels, with the
    /// dataset's class names.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `data` has float targets or `classify` returns a class
    /// `>= data.n_classes()`.
    ///
    /// # Panics
    ///
    /// As [`predict`].
    pub fn of<T: Float, const N: usize>(
        data: &Dataset<T>,
        classify: impl FnMut(&[T; N]) -> usize,
    ) -> Result<Self> {
        let actual = data.labels()?;
        let names = data
            .class_names()
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        Self::named(&predict(data, classify), actual, names)
    }

    fn named(predicted: &[usize], actual: &[usize], names: Vec<String>) -> Result<Self> {
        if predicted.len() != actual.len() || actual.is_empty() {
            return Err(Error::InvalidData(format!(
                "{} predictions for {} labels (need the same number, at least 1)",
                predicted.len(),
                actual.len()
            )));
        }
        let k = names.len();
        let mut counts = vec![0; k * k];
        for (i, (&p, &a)) in predicted.iter().zip(actual).enumerate() {
            if p >= k || a >= k {
                return Err(Error::InvalidData(format!(
                    "example {i}: predicted {p}, actual {a}, but there are {k} classes"
                )));
            }
            counts[a * k + p] += 1;
        }
        Ok(ConfusionMatrix { names, counts })
    }

    /// The number of classes.
    pub fn n_classes(&self) -> usize {
        self.names.len()
    }

    /// How many examples of class `actual` were predicted as `predicted`.
    ///
    /// # Panics
    ///
    /// If a class is `>= n_classes()`.
    pub fn count(&self, actual: usize, predicted: usize) -> usize {
        let k = self.n_classes();
        assert!(actual < k && predicted < k, "autodiff: class out of range");
        self.counts[actual * k + predicted]
    }

    /// The number of examples.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The fraction of examples on the diagonal.
    pub fn accuracy(&self) -> f64 {
        let hits: usize = (0..self.n_classes()).map(|c| self.count(c, c)).sum();
        hits as f64 / self.total() as f64
    }

    /// Of the examples predicted as `class`, the fraction that are.
    pub fn precision(&self, class: usize) -> f64 {
        let predicted: usize = (0..self.n_classes()).map(|a| self.count(a, class)).sum();
        ratio(self.count(class, class), predicted)
    }

    /// Of the examples of `class`, the fraction predicted as it.
    pub fn recall(&self, class: usize) -> f64 {
        ratio(self.count(class, class), self.support(class))
    }

    /// The harmonic mean of precision and recall of `class`.
    pub fn f1(&self, class: usize) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }

    /// The number of examples of `class`.
    pub fn support(&self, class: usize) -> usize {
        (0..self.n_classes()).map(|p| self.count(class, p)).sum()
    }

    /// The unweighted mean of the classes' F1 scores.
    pub fn macro_f1(&self) -> f64 {
        (0..self.n_classes()).map(|c| self.f1(c)).sum::<f64>() / self.n_classes() as f64
    }
}

fn ratio(hits: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        hits as f64 / of as f64
    }
}

impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.n_classes();
        let width = self.names.iter().map(String::len).max().unwrap_or(0).max(6);
        let cell = self.total().to_string().len().max(4);
        write!(f, "{:>width$}  predicted:", "actual")?;
        for c in 0..k {
            write!(f, " {c:>cell$}")?;
        }
        writeln!(f, "   precision  recall     f1  support")?;
        for a in 0..k {
            write!(f, "{:>width$}  {:>10}", self.names[a], format!("{a}:"))?;
            for p in 0..k {
                write!(f, " {:>cell$}", self.count(a, p))?;
            }
            writeln!(
                f,
                "   {:>9.4} {:>7.4} {:>6.4} {:>8}",
                self.precision(a),
                self.recall(a),
                self.f1(a),
                self.support(a)
            )?;
        }
        write!(
            f,
            "accuracy {:.4}, macro F1 {:.4}, {} examples",
            self.accuracy(),
            self.macro_f1(),
            self.total()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The metrics from their definitions, by counting pairs directly.
    fn by_counting(predicted: &[usize], actual: &[usize], class: usize) -> (f64, f64) {
        let tp = (0..actual.len())
            .filter(|&i| predicted[i] == class && actual[i] == class)
            .count() as f64;
        let predicted_n = predicted.iter().filter(|&&p| p == class).count() as f64;
        let actual_n = actual.iter().filter(|&&a| a == class).count() as f64;
        (tp / predicted_n, tp / actual_n)
    }

    #[test]
    fn confusion_matrix_agrees_with_counting() {
        let actual = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0];
        let predicted = [0, 1, 1, 1, 2, 2, 2, 0, 2, 0];
        let m = ConfusionMatrix::new(&predicted, &actual, 3).unwrap();
        assert_eq!(m.total(), actual.len());
        assert_eq!(m.accuracy(), accuracy(&predicted, &actual));
        for c in 0..3 {
            let (p, r) = by_counting(&predicted, &actual, c);
            assert_eq!((m.precision(c), m.recall(c)), (p, r), "class {c}");
            assert!((m.f1(c) - 2.0 * p * r / (p + r)).abs() < 1e-15);
            let row: usize = (0..3).map(|q| m.count(c, q)).sum();
            assert_eq!(m.support(c), row);
        }
        let mean = (0..3).map(|c| m.f1(c)).sum::<f64>() / 3.0;
        assert_eq!(m.macro_f1(), mean);
        let table = m.to_string();
        assert_eq!(table.lines().count(), 3 + 2, "{table}");
        assert!(table.contains(&format!("accuracy {:.4}", m.accuracy())));
    }

    #[test]
    fn never_predicted_classes_score_zero_and_bad_input_is_an_error() {
        let m = ConfusionMatrix::new(&[0, 0], &[0, 1], 3).unwrap();
        assert_eq!((m.precision(1), m.recall(1), m.f1(1)), (0.0, 0.0, 0.0));
        assert_eq!((m.precision(2), m.recall(2), m.support(2)), (0.0, 0.0, 0));
        assert!(ConfusionMatrix::new(&[0, 3], &[0, 1], 3).is_err());
        assert!(ConfusionMatrix::new(&[0], &[0, 1], 3).is_err());
        assert!(ConfusionMatrix::new(&[], &[], 3).is_err());
    }

    #[test]
    fn regression_metrics_follow_their_definitions() {
        let actual = [3.0f32, -0.5, 2.0, 7.0];
        let predicted = [2.5f32, 0.0, 2.0, 8.0];
        let errors: Vec<f64> = predicted
            .iter()
            .zip(&actual)
            .map(|(&p, &a)| f64::from(p) - f64::from(a))
            .collect();
        let n = errors.len() as f64;
        let mse = errors.iter().map(|e| e * e).sum::<f64>() / n;
        assert_eq!(rmse(&predicted, &actual), mse.sqrt());
        assert_eq!(
            mae(&predicted, &actual),
            errors.iter().map(|e| e.abs()).sum::<f64>() / n
        );
        let mean = actual.iter().map(|&a| f64::from(a)).sum::<f64>() / n;
        let variance = actual
            .iter()
            .map(|&a| (f64::from(a) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!((r2(&predicted, &actual) - (1.0 - mse / variance)).abs() < 1e-12);
        // predicting the mean scores 0, perfect predictions 1
        assert_eq!(r2(&[mean as f32; 4], &actual), 0.0);
        assert_eq!(r2(&actual, &actual), 1.0);
        assert_eq!(
            (r2(&[1.0, 1.0], &[1.0, 1.0]), r2(&[1.0, 2.0], &[1.0, 1.0])),
            (1.0, 0.0)
        );
    }

    #[test]
    #[should_panic(expected = "2 predictions for 3 targets")]
    fn mismatched_lengths_panic() {
        let _ = rmse(&[1.0, 2.0], &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn accuracy_of_any_comparable_prediction() {
        let predicted = [[true, false], [true, true], [false, false]];
        let actual = [[true, false], [true, false], [false, false]];
        assert_eq!(accuracy(&predicted, &actual), 2.0 / 3.0);
    }
}
