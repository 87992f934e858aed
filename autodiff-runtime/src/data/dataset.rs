//! [`Dataset`]: a table of features with one target per row.

use std::slice::ChunksExact;

use num_traits::Float;

use super::{check_labels, invalid, split_indices, stratified_split_indices, DEFAULT_MAX_CLASSES};
#[cfg(doc)]
use crate::Error;
use crate::Result;

/// The target of every row: class labels or float values.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets<T = f64> {
    /// Class indices, each `< names.len()`.
    Classes {
        /// One class index per row.
        labels: Vec<usize>,
        /// One name per class (`"0"`, `"1"`, ... when the data names none).
        names: Vec<String>,
    },
    /// One float value per row (regression).
    Values(Vec<T>),
}

impl<T: Float> Targets<T> {
    fn len(&self) -> usize {
        match self {
            Targets::Classes { labels, .. } => labels.len(),
            Targets::Values(values) => values.len(),
        }
    }

    fn select(&self, indices: &[usize]) -> Targets<T> {
        match self {
            Targets::Classes { labels, names } => Targets::Classes {
                labels: indices.iter().map(|&i| labels[i]).collect(),
                names: names.clone(),
            },
            Targets::Values(values) => {
                Targets::Values(indices.iter().map(|&i| values[i]).collect())
            }
        }
    }
}

/// A table of examples: `len()` rows of `n_features()` finite features, one target each.
/// The features and float targets are `f64` by default, or `f32` ([`Dataset::cast`]).
///
/// Every constructor checks its input: at least one row, at least one feature, every row of
/// the same width, every value finite, one target per row, labels in range.
///
/// ```
/// use autodiff_runtime::data::Dataset;
///
/// let data = Dataset::classification(vec![vec![0.0, 1.0], vec![2.0, 3.0]], vec![1, 0])?;
/// assert_eq!((data.len(), data.n_features()), (2, 2));
/// assert_eq!(data.row(1), &[2.0, 3.0]);
/// assert_eq!(data.labels()?, &[1, 0]);
/// assert_eq!(data.n_classes(), Some(2));
/// assert!(Dataset::classification(vec![vec![0.0, 1.0], vec![2.0]], vec![1, 0]).is_err());
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T = f64> {
    /// Row-major, `len * n_features` values.
    pub(super) features: Vec<T>,
    pub(super) n_features: usize,
    targets: Targets<T>,
}

impl<T: Float> Dataset<T> {
    /// A dataset from row-major features (`targets.len()` rows of `n_features` values).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if there are no rows or no features, if `features.len()` is not
    /// `n_features` times the number of targets, if a value is NaN or infinite, or if a class
    /// label is not below the number of class names.
    pub fn from_flat(features: Vec<T>, n_features: usize, targets: Targets<T>) -> Result<Self> {
        let n = targets.len();
        if n == 0 {
            return Err(invalid("the dataset has no examples"));
        }
        if n_features == 0 {
            return Err(invalid("the dataset has no features"));
        }
        if features.len() != n * n_features {
            return Err(invalid(format!(
                "{} feature values do not make {n} rows of {n_features} features",
                features.len()
            )));
        }
        if let Some(k) = features.iter().position(|v| !v.is_finite()) {
            return Err(invalid(format!(
                "feature {} of row {} is {} (values must be finite)",
                k % n_features,
                k / n_features,
                features[k].to_f64().unwrap_or(f64::NAN)
            )));
        }
        match &targets {
            Targets::Classes { labels, names } => {
                if let Some(i) = labels.iter().position(|&y| y >= names.len()) {
                    return Err(invalid(format!(
                        "the label of row {i} is {} but there are {} classes",
                        labels[i],
                        names.len()
                    )));
                }
            }
            Targets::Values(values) => {
                if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                    return Err(invalid(format!(
                        "the target of row {i} is {} (values must be finite)",
                        values[i].to_f64().unwrap_or(f64::NAN)
                    )));
                }
            }
        }
        Ok(Dataset {
            features,
            n_features,
            targets,
        })
    }

    /// A classification dataset from rows and class labels; the classes are `0..=max label`,
    /// named `"0"`, `"1"`, ...
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the rows are empty or ragged, a value is not finite, the
    /// number of labels differs from the number of rows, or the largest label is
    /// [`DEFAULT_MAX_CLASSES`] or more.
    pub fn classification(rows: Vec<Vec<T>>, labels: Vec<usize>) -> Result<Self> {
        let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
        if n_classes > DEFAULT_MAX_CLASSES {
            return Err(invalid(format!(
                "label {} makes {n_classes} classes, more than {DEFAULT_MAX_CLASSES}: labels \
                 are class indices 0..k; name the classes with `Dataset::from_flat`, or read \
                 arbitrary labels with `CsvOptions`, which maps them to indices",
                n_classes - 1
            )));
        }
        let names = (0..n_classes).map(|c| c.to_string()).collect();
        Self::from_rows(rows, Targets::Classes { labels, names })
    }

    /// A regression dataset from rows and target values.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the rows are empty or ragged, a value is not finite, or the
    /// number of targets differs from the number of rows.
    pub fn regression(rows: Vec<Vec<T>>, values: Vec<T>) -> Result<Self> {
        Self::from_rows(rows, Targets::Values(values))
    }

    fn from_rows(rows: Vec<Vec<T>>, targets: Targets<T>) -> Result<Self> {
        if rows.len() != targets.len() {
            return Err(invalid(format!(
                "{} rows but {} targets",
                rows.len(),
                targets.len()
            )));
        }
        let n_features = rows.first().map_or(0, Vec::len);
        if let Some(i) = rows.iter().position(|r| r.len() != n_features) {
            return Err(invalid(format!(
                "row {i} has {} features but row 0 has {n_features}",
                rows[i].len()
            )));
        }
        let features = rows.into_iter().flatten().collect();
        Self::from_flat(features, n_features, targets)
    }

    /// Number of examples (rows), at least 1.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Always `false`: a dataset has at least one row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features per row, at least 1.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// All features, row-major.
    pub fn features(&self) -> &[T] {
        &self.features
    }

    /// The features of row `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`, like slice indexing.
    pub fn row(&self, i: usize) -> &[T] {
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// The features of row `i` as a fixed-size array, for `#[grad]` functions that take
    /// `&[f64; N]`.
    ///
    /// ```
    /// let iris = autodiff_runtime::data::datasets::iris();
    /// let x: &[f64; 4] = iris.row_array(0);
    /// assert_eq!(x, &[5.1, 3.5, 1.4, 0.2]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `i >= self.len()` or `N != self.n_features()`.
    pub fn row_array<const N: usize>(&self, i: usize) -> &[T; N] {
        match self.row(i).try_into() {
            Ok(row) => row,
            Err(_) => panic!(
                "autodiff: row_array::<{N}> on a dataset with {} features",
                self.n_features
            ),
        }
    }

    /// The rows, in order.
    pub fn rows(&self) -> ChunksExact<'_, T> {
        self.features.chunks_exact(self.n_features)
    }

    /// The targets.
    pub fn targets(&self) -> &Targets<T> {
        &self.targets
    }

    /// The class label of every row.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the targets are float values.
    pub fn labels(&self) -> Result<&[usize]> {
        match &self.targets {
            Targets::Classes { labels, .. } => Ok(labels),
            Targets::Values(_) => Err(invalid("the dataset has float targets, not class labels")),
        }
    }

    /// The float target of every row.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the targets are class labels (use [`Dataset::labels`]).
    pub fn values(&self) -> Result<&[T]> {
        match &self.targets {
            Targets::Values(values) => Ok(values),
            Targets::Classes { .. } => {
                Err(invalid("the dataset has class labels, not float targets"))
            }
        }
    }

    /// The number of classes, or `None` for float targets.
    pub fn n_classes(&self) -> Option<usize> {
        self.class_names().map(<[String]>::len)
    }

    /// The class names, or `None` for float targets.
    pub fn class_names(&self) -> Option<&[String]> {
        match &self.targets {
            Targets::Classes { names, .. } => Some(names),
            Targets::Values(_) => None,
        }
    }

    /// How many rows each class has, or `None` for float targets.
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        match &self.targets {
            Targets::Classes { labels, names } => {
                let mut counts = vec![0; names.len()];
                for &y in labels {
                    counts[y] += 1;
                }
                Some(counts)
            }
            Targets::Values(_) => None,
        }
    }

    /// The labels one-hot encoded: row `i` is 1 at `labels[i]` and 0 elsewhere.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the targets are float values.
    pub fn one_hot(&self) -> Result<Vec<Vec<T>>> {
        match &self.targets {
            Targets::Classes { labels, names } => {
                check_labels(labels, names.len())?;
                Ok(labels
                    .iter()
                    .map(|&y| {
                        let mut row = vec![T::zero(); names.len()];
                        row[y] = T::one();
                        row
                    })
                    .collect())
            }
            Targets::Values(_) => Err(invalid("cannot one-hot encode float targets")),
        }
    }

    /// The rows at `indices`, in that order (repeats allowed), with their targets.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `indices` is empty or an index is out of range.
    pub fn select(&self, indices: &[usize]) -> Result<Dataset<T>> {
        if indices.is_empty() {
            return Err(invalid("cannot select zero rows"));
        }
        if let Some(&i) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(invalid(format!(
                "row index {i} is out of range for a dataset of {} rows",
                self.len()
            )));
        }
        let mut features = Vec::with_capacity(indices.len() * self.n_features);
        for &i in indices {
            features.extend_from_slice(self.row(i));
        }
        Ok(Dataset {
            features,
            n_features: self.n_features,
            targets: self.targets.select(indices),
        })
    }

    /// A shuffled split into `(train, test)` with `round(len * test_fraction)` test rows (at
    /// least one in each part). The same seed gives the same split. See [`split_indices`].
    ///
    /// ```
    /// let iris = autodiff_runtime::data::datasets::iris();
    /// let (train, test) = iris.split(0.2, 7)?;
    /// assert_eq!((train.len(), test.len()), (120, 30));
    /// assert_eq!(iris.split(0.2, 7)?.1, test);
    /// # Ok::<(), autodiff_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `0 < test_fraction < 1`; [`Error::InvalidData`] if
    /// the dataset has fewer than 2 rows.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset<T>, Dataset<T>)> {
        let (train, test) = split_indices(self.len(), test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// Like [`Dataset::split`], but each class keeps its proportion in both parts: the same
    /// `round(len * test_fraction)` test rows, shared among the classes by their counts. See
    /// [`stratified_split_indices`].
    ///
    /// # Errors
    ///
    /// As [`Dataset::split`], and [`Error::InvalidData`] for float targets.
    pub fn stratified_split(
        &self,
        test_fraction: f64,
        seed: u64,
    ) -> Result<(Dataset<T>, Dataset<T>)> {
        let (train, test) = stratified_split_indices(self.labels()?, test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// The same dataset in another float type, e.g. `f32` for an `f32` model.
    ///
    /// ```
    /// let digits = autodiff_runtime::data::datasets::digits();
    /// let small: autodiff_runtime::data::Dataset<f32> = digits.cast()?;
    /// assert_eq!(small.row(0)[..3], [0.0f32, 0.0, 5.0]);
    /// assert_eq!(small.labels()?, digits.labels()?);
    /// # Ok::<(), autodiff_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if a value does not fit the new type (e.g. `1e300` in `f32`).
    pub fn cast<U: Float>(&self) -> Result<Dataset<U>> {
        let features = cast_all(&self.features, "feature")?;
        let targets = match &self.targets {
            Targets::Classes { labels, names } => Targets::Classes {
                labels: labels.clone(),
                names: names.clone(),
            },
            Targets::Values(values) => Targets::Values(cast_all(values, "target")?),
        };
        Dataset::from_flat(features, self.n_features, targets)
    }
}

/// Every value of `values` in type `U`, or an error naming the first that does not fit.
fn cast_all<T: Float, U: Float>(values: &[T], what: &str) -> Result<Vec<U>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            U::from(v).filter(|u| u.is_finite()).ok_or_else(|| {
                invalid(format!(
                    "{what} value {} (number {i}) does not fit the requested float type",
                    v.to_f64().unwrap_or(f64::NAN)
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::datasets;
    use crate::Error;

    #[test]
    fn constructors_reject_bad_data() {
        let err = |r: Result<Dataset>| match r {
            Err(Error::InvalidData(msg)) => msg,
            other => panic!("expected invalid data, got {other:?}"),
        };
        assert!(err(Dataset::classification(vec![], vec![])).contains("no examples"));
        assert!(err(Dataset::regression(vec![vec![]], vec![1.0])).contains("no features"));
        assert!(err(Dataset::classification(
            vec![vec![1.0], vec![1.0, 2.0]],
            vec![0, 1]
        ))
        .contains("row 1 has 2 features"));
        assert!(err(Dataset::classification(vec![vec![1.0]], vec![0, 1])).contains("1 rows"));
        assert!(err(Dataset::regression(vec![vec![f64::NAN]], vec![1.0])).contains("NaN"));
        assert!(err(Dataset::regression(vec![vec![1.0]], vec![f64::INFINITY])).contains("inf"));
        let labels = Targets::Classes {
            labels: vec![2],
            names: vec!["a".into(), "b".into()],
        };
        assert!(err(Dataset::from_flat(vec![1.0], 1, labels)).contains("2 classes"));
        assert!(err(Dataset::from_flat(
            vec![1.0; 3],
            2,
            Targets::Values(vec![0.0])
        ))
        .contains("3 feature values"));
    }

    #[test]
    fn dataset_split_keeps_rows_with_their_targets() {
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![i as f64, -(i as f64)]).collect();
        let labels: Vec<usize> = (0..20).map(|i| i % 3).collect();
        let data = Dataset::classification(rows, labels).unwrap();
        let (train, test) = data.split(0.3, 5).unwrap();
        assert_eq!((train.len(), test.len()), (14, 6));
        for part in [&train, &test] {
            for (row, &y) in part.rows().zip(part.labels().unwrap()) {
                assert_eq!(row[1], -row[0]);
                assert_eq!(y, row[0] as usize % 3);
            }
        }
    }

    #[test]
    fn select_checks_indices() {
        let data = Dataset::regression(vec![vec![1.0], vec![2.0]], vec![10.0, 20.0]).unwrap();
        let picked = data.select(&[1, 1, 0]).unwrap();
        assert_eq!(picked.features(), &[2.0, 2.0, 1.0]);
        assert_eq!(picked.values().unwrap(), &[20.0, 20.0, 10.0]);
        assert!(data.select(&[]).is_err());
        assert!(data.select(&[2]).is_err());
    }

    #[test]
    #[should_panic(expected = "row_array::<3> on a dataset with 4 features")]
    fn row_array_checks_the_width() {
        let _ = datasets::iris().row_array::<3>(0);
    }

    #[test]
    fn cast_to_f32_and_back_keeps_the_data() {
        let data =
            Dataset::regression(vec![vec![0.5, -2.0], vec![1.25, 3.0]], vec![0.25, 8.0]).unwrap();
        let small: Dataset<f32> = data.cast().unwrap();
        assert_eq!(small.values().unwrap(), &[0.25f32, 8.0]);
        assert_eq!(small.cast::<f64>().unwrap(), data);
        let huge = Dataset::regression(vec![vec![1e300]], vec![0.0]).unwrap();
        assert!(
            matches!(huge.cast::<f32>(), Err(Error::InvalidData(m)) if m.contains("does not fit"))
        );
    }

    #[test]
    fn a_huge_label_is_an_error_not_an_allocation() {
        let err = Dataset::<f64>::classification(vec![vec![1.0]], vec![4_000_000_000]).unwrap_err();
        assert!(err.to_string().contains("label 4000000000"), "{err}");
    }
}
