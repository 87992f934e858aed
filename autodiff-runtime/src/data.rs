//! Data: CSV loading with clear errors, the embedded real datasets, standardization, seeded
//! train/test splits, one-hot encoding and shuffled mini-batches.
//!
//! A [`Dataset`] is a table of finite `f64` features (rows of a fixed width) with one target
//! per row: a class label ([`Targets::Classes`]) or a float value ([`Targets::Values`]).
//!
//! ```
//! use autodiff_runtime::data::{datasets, Standardizer};
//!
//! let data = datasets::breast_cancer();
//! let (train, test) = data.stratified_split(0.2, 42)?;
//! // fitted on the training split only: the test set must not leak into the scaling
//! let scaler = Standardizer::fit(&train);
//! let (train, test) = (scaler.transform(&train)?, scaler.transform(&test)?);
//! assert_eq!(train.len() + test.len(), 569);
//! assert_eq!(train.n_features(), 30);
//! let labels = train.labels()?; // class indices, 0 = malignant, 1 = benign
//! assert!(labels.iter().all(|&y| y < 2));
//! # Ok::<(), autodiff_runtime::Error>(())
//! ```

use std::path::Path;
use std::slice::{Chunks, ChunksExact};

use crate::rng::Rng;
use crate::{Error, Result};

/// The target of every row: class labels or float values.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// Class indices, each `< names.len()`.
    Classes {
        /// One class index per row.
        labels: Vec<usize>,
        /// One name per class (`"0"`, `"1"`, ... when the data names none).
        names: Vec<String>,
    },
    /// One float value per row (regression).
    Values(Vec<f64>),
}

impl Targets {
    fn len(&self) -> usize {
        match self {
            Targets::Classes { labels, .. } => labels.len(),
            Targets::Values(values) => values.len(),
        }
    }

    fn select(&self, indices: &[usize]) -> Targets {
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
pub struct Dataset {
    /// Row-major, `len * n_features` values.
    features: Vec<f64>,
    n_features: usize,
    targets: Targets,
}

impl Dataset {
    /// A dataset from row-major features (`targets.len()` rows of `n_features` values).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if there are no rows or no features, if `features.len()` is not
    /// `n_features` times the number of targets, if a value is NaN or infinite, or if a class
    /// label is not below the number of class names.
    pub fn from_flat(features: Vec<f64>, n_features: usize, targets: Targets) -> Result<Self> {
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
                features[k]
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
                        values[i]
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
    /// [`Error::InvalidData`] if the rows are empty or ragged, a value is not finite, or the
    /// number of labels differs from the number of rows.
    pub fn classification(rows: Vec<Vec<f64>>, labels: Vec<usize>) -> Result<Self> {
        let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
        let names = (0..n_classes).map(|c| c.to_string()).collect();
        Self::from_rows(rows, Targets::Classes { labels, names })
    }

    /// A regression dataset from rows and target values.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if the rows are empty or ragged, a value is not finite, or the
    /// number of targets differs from the number of rows.
    pub fn regression(rows: Vec<Vec<f64>>, values: Vec<f64>) -> Result<Self> {
        Self::from_rows(rows, Targets::Values(values))
    }

    fn from_rows(rows: Vec<Vec<f64>>, targets: Targets) -> Result<Self> {
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
    pub fn features(&self) -> &[f64] {
        &self.features
    }

    /// The features of row `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`, like slice indexing.
    pub fn row(&self, i: usize) -> &[f64] {
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
    pub fn row_array<const N: usize>(&self, i: usize) -> &[f64; N] {
        match self.row(i).try_into() {
            Ok(row) => row,
            Err(_) => panic!(
                "autodiff: row_array::<{N}> on a dataset with {} features",
                self.n_features
            ),
        }
    }

    /// The rows, in order.
    pub fn rows(&self) -> ChunksExact<'_, f64> {
        self.features.chunks_exact(self.n_features)
    }

    /// The targets.
    pub fn targets(&self) -> &Targets {
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
    pub fn values(&self) -> Result<&[f64]> {
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
    pub fn one_hot(&self) -> Result<Vec<Vec<f64>>> {
        match &self.targets {
            Targets::Classes { labels, names } => one_hot(labels, names.len()),
            Targets::Values(_) => Err(invalid("cannot one-hot encode float targets")),
        }
    }

    /// The rows at `indices`, in that order (repeats allowed), with their targets.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `indices` is empty or an index is out of range.
    pub fn select(&self, indices: &[usize]) -> Result<Dataset> {
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
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        let (train, test) = split_indices(self.len(), test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// Like [`Dataset::split`], but each class keeps its proportion in both parts: about
    /// `round(count * test_fraction)` rows of every class go to the test set. See
    /// [`stratified_split_indices`].
    ///
    /// # Errors
    ///
    /// As [`Dataset::split`], and [`Error::InvalidData`] for float targets or when one part
    /// would be empty.
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        let (train, test) = stratified_split_indices(self.labels()?, test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidData(msg.into())
}

fn check_fraction(test_fraction: f64) -> Result<()> {
    if test_fraction > 0.0 && test_fraction < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "test_fraction",
            value: test_fraction,
            expected: "a number strictly between 0 and 1",
        })
    }
}

/// Shuffles `0..n` with the seed and cuts it into `(train, test)` index lists:
/// `round(n * test_fraction)` test indices, clamped so neither part is empty. The two lists
/// are disjoint and together hold every index once.
///
/// ```
/// let (train, test) = autodiff_runtime::data::split_indices(10, 0.3, 1)?;
/// assert_eq!((train.len(), test.len()), (7, 3));
/// let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
/// all.sort();
/// assert_eq!(all, (0..10).collect::<Vec<_>>());
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`] unless `0 < test_fraction < 1`; [`Error::InvalidData`] if
/// `n < 2`.
pub fn split_indices(n: usize, test_fraction: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    check_fraction(test_fraction)?;
    if n < 2 {
        return Err(invalid(format!(
            "cannot split {n} example(s) into non-empty train and test sets"
        )));
    }
    let n_test = ((n as f64 * test_fraction).round() as usize).clamp(1, n - 1);
    let mut order: Vec<usize> = (0..n).collect();
    Rng::seeded(seed).shuffle(&mut order);
    let test = order.split_off(n - n_test);
    Ok((order, test))
}

/// Like [`split_indices`], class by class: of the `count` indices with label `c`,
/// `round(count * test_fraction)` go to the test set. Both lists are shuffled.
///
/// # Errors
///
/// [`Error::InvalidParameter`] unless `0 < test_fraction < 1`; [`Error::InvalidData`] if
/// either part would be empty.
pub fn stratified_split_indices(
    labels: &[usize],
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    check_fraction(test_fraction)?;
    let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
    let mut by_class = vec![Vec::new(); n_classes];
    for (i, &y) in labels.iter().enumerate() {
        by_class[y].push(i);
    }
    let mut rng = Rng::seeded(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut members in by_class {
        rng.shuffle(&mut members);
        let n_test = (members.len() as f64 * test_fraction).round() as usize;
        test.extend(members.drain(members.len() - n_test..));
        train.extend(members);
    }
    if train.is_empty() || test.is_empty() {
        return Err(invalid(format!(
            "a stratified split of {} example(s) with test fraction {test_fraction} leaves \
             an empty part",
            labels.len()
        )));
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok((train, test))
}

/// One-hot encoding: row `i` has a 1 at `labels[i]` and `n_classes - 1` zeros.
///
/// ```
/// let y = autodiff_runtime::data::one_hot(&[2, 0], 3)?;
/// assert_eq!(y, vec![vec![0.0, 0.0, 1.0], vec![1.0, 0.0, 0.0]]);
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidData`] if a label is `>= n_classes`.
pub fn one_hot(labels: &[usize], n_classes: usize) -> Result<Vec<Vec<f64>>> {
    check_labels(labels, n_classes)?;
    Ok(labels
        .iter()
        .map(|&y| {
            let mut row = vec![0.0; n_classes];
            row[y] = 1.0;
            row
        })
        .collect())
}

/// [`one_hot`] into fixed-size arrays, for `#[grad]` functions that take `&[f64; K]`.
///
/// ```
/// let y: Vec<[f64; 3]> = autodiff_runtime::data::one_hot_array(&[1, 2])?;
/// assert_eq!(y, vec![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
/// assert!(autodiff_runtime::data::one_hot_array::<2>(&[2]).is_err());
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidData`] if a label is `>= K`.
pub fn one_hot_array<const K: usize>(labels: &[usize]) -> Result<Vec<[f64; K]>> {
    check_labels(labels, K)?;
    Ok(labels
        .iter()
        .map(|&y| {
            let mut row = [0.0; K];
            row[y] = 1.0;
            row
        })
        .collect())
}

fn check_labels(labels: &[usize], n_classes: usize) -> Result<()> {
    match labels.iter().position(|&y| y >= n_classes) {
        Some(i) => Err(invalid(format!(
            "label {} (index {i}) is out of range for {n_classes} classes",
            labels[i]
        ))),
        None => Ok(()),
    }
}

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
pub struct Standardizer {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Standardizer {
    /// The mean and standard deviation of every feature of `data`.
    pub fn fit(data: &Dataset) -> Standardizer {
        let d = data.n_features();
        let n = data.len() as f64;
        let mut mean = vec![0.0; d];
        for row in data.rows() {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x;
            }
        }
        for m in &mut mean {
            *m /= n;
        }
        // two passes: the variance of centred values does not cancel catastrophically
        let mut var = vec![0.0; d];
        for row in data.rows() {
            for ((v, x), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (x - m) * (x - m);
            }
        }
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(v, m)| {
                let std = (v / n).sqrt();
                // rounding leaves a constant column with a std of a few ulps of its mean
                if std <= 10.0 * f64::EPSILON * m.abs().max(1.0) {
                    1.0
                } else {
                    std
                }
            })
            .collect();
        Standardizer { mean, scale }
    }

    /// The fitted mean of every feature.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// What every centred feature is divided by: its standard deviation, or 1 for a constant
    /// column.
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// `data` with every feature standardized.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `data` has a different number of features than the fitted
    /// data.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        let mut out = data.clone();
        self.transform_in_place(&mut out)?;
        Ok(out)
    }

    /// Standardizes `data` in place.
    ///
    /// # Errors
    ///
    /// As [`Standardizer::transform`].
    pub fn transform_in_place(&self, data: &mut Dataset) -> Result<()> {
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
    pub fn transform_row(&self, row: &mut [f64]) -> Result<()> {
        self.check_width(row.len())?;
        self.apply(row);
        Ok(())
    }

    fn apply(&self, row: &mut [f64]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
            *x = (*x - m) / s;
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

/// Shuffled mini-batches of example indices: every epoch visits each of `n_examples` indices
/// exactly once, in `ceil(n / batch_size)` batches (the last one may be smaller), in a new
/// order drawn from a seeded RNG. When one batch holds everything (full-batch gradient
/// descent) the order does not matter and is not shuffled.
///
/// ```
/// use autodiff_runtime::data::Batches;
///
/// let mut batches = Batches::new(10, 4, 42)?;
/// let epoch: Vec<Vec<usize>> = batches.next_epoch().map(<[usize]>::to_vec).collect();
/// assert_eq!(epoch.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
/// assert!(Batches::new(10, 0, 42).is_err());
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Batches {
    order: Vec<usize>,
    batch_size: usize,
    rng: Rng,
}

impl Batches {
    /// Batches of `batch_size` indices out of `0..n_examples`, shuffled with `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `n_examples == 0`; [`Error::InvalidParameter`] if
    /// `batch_size` is 0 or larger than `n_examples`.
    pub fn new(n_examples: usize, batch_size: usize, seed: u64) -> Result<Self> {
        if n_examples == 0 {
            return Err(invalid("there are no examples to make batches of"));
        }
        if batch_size == 0 || batch_size > n_examples {
            return Err(Error::InvalidParameter {
                name: "batch_size",
                value: batch_size as f64,
                expected: "at least 1 and at most the number of examples",
            });
        }
        Ok(Batches {
            order: (0..n_examples).collect(),
            batch_size,
            rng: Rng::seeded(seed),
        })
    }

    /// The number of examples.
    pub fn n_examples(&self) -> usize {
        self.order.len()
    }

    /// The batch size (the last batch of an epoch may be smaller).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Batches per epoch: `ceil(n_examples / batch_size)`.
    pub fn n_batches(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Draws a new order and returns the epoch's batches. Allocates nothing.
    pub fn next_epoch(&mut self) -> Chunks<'_, usize> {
        if self.batch_size < self.order.len() {
            self.rng.shuffle(&mut self.order);
        }
        self.order.chunks(self.batch_size)
    }
}

/// Where the first line of a CSV file is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Header {
    /// Every line is data.
    #[default]
    None,
    /// The first line names the columns and is skipped.
    Names,
    /// The first line is a scikit-learn header `rows,features,class name,...`: the row and
    /// feature counts are checked and the class names are kept.
    Sklearn,
}

/// What the target (the last column) is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetKind {
    /// A class label: a non-negative integer (`2` or `2.0`).
    #[default]
    Class,
    /// A float value (regression).
    Value,
}

/// How to read a CSV file: one example per line, the features then the target, separated by
/// commas (or [`CsvOptions::with_delimiter`]). Blank lines are skipped and fields are trimmed.
///
/// ```
/// use autodiff_runtime::data::{CsvOptions, Header, TargetKind};
///
/// let text = "x1,x2,y\n1.0,2.0,0.5\n3.0,4.0,1.5\n";
/// let data = CsvOptions::new()
///     .with_header(Header::Names)
///     .with_target(TargetKind::Value)
///     .parse(text, "inline.csv")?;
/// assert_eq!(data.values()?, &[0.5, 1.5]);
///
/// let err = CsvOptions::new().parse("1,2,0\n1,x,1\n", "bad.csv").unwrap_err();
/// assert_eq!(err.to_string(), "bad.csv:2: column 2: not a number (found `x`)");
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    header: Header,
    target: TargetKind,
    delimiter: Option<char>,
}

impl CsvOptions {
    /// No header, class labels in the last column, comma-separated.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the first line is.
    #[must_use]
    pub fn with_header(mut self, header: Header) -> Self {
        self.header = header;
        self
    }

    /// What the last column is.
    #[must_use]
    pub fn with_target(mut self, target: TargetKind) -> Self {
        self.target = target;
        self
    }

    /// The field separator (default `,`).
    #[must_use]
    pub fn with_delimiter(mut self, delimiter: char) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, otherwise as [`CsvOptions::parse`].
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        self.parse(&text, &name)
    }

    /// Parses CSV `text`; `file` names it in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Csv`] with the 1-based line and column and the offending text, for: no data
    /// rows; a field that is empty, not a number, NaN or infinite; a row with a different
    /// number of fields than the first (or than the header announces); a class label that is
    /// not a non-negative integer or not below the number of class names in the header; a
    /// malformed header or a row count that differs from it.
    pub fn parse(&self, text: &str, file: &str) -> Result<Dataset> {
        Parser {
            options: self,
            file,
        }
        .parse(text)
    }
}

/// Reads a CSV file with the default [`CsvOptions`] (no header, class label last).
///
/// # Errors
///
/// As [`CsvOptions::load`].
pub fn load_csv(path: impl AsRef<Path>) -> Result<Dataset> {
    CsvOptions::new().load(path)
}

struct Parser<'a> {
    options: &'a CsvOptions,
    file: &'a str,
}

struct SklearnHeader {
    line: usize,
    rows_text: String,
    rows: usize,
    names: Vec<String>,
}

impl Parser<'_> {
    fn error(&self, line: usize, column: usize, text: &str, reason: impl Into<String>) -> Error {
        Error::Csv {
            file: self.file.to_string(),
            line,
            column,
            text: text.to_string(),
            reason: reason.into(),
        }
    }

    fn parse(&self, text: &str) -> Result<Dataset> {
        let delimiter = self.options.delimiter.unwrap_or(',');
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty())
            .peekable();
        let mut width = None; // fields per row
        let mut sklearn = None;
        match self.options.header {
            Header::None => {}
            Header::Names => {
                lines.next();
            }
            Header::Sklearn => {
                if let Some((line, l)) = lines.next() {
                    let header = self.sklearn_header(line, l, delimiter)?;
                    width = Some(header.0);
                    sklearn = Some(header.1);
                }
            }
        }
        let mut features = Vec::new();
        let mut labels = Vec::new();
        let mut values = Vec::new();
        let mut fields = Vec::new();
        let mut last_line = 0;
        for (line, l) in lines {
            last_line = line;
            fields.clear();
            fields.extend(l.split(delimiter).map(str::trim));
            let expected = *width.get_or_insert(fields.len());
            if expected < 2 {
                return Err(self.error(
                    line,
                    1,
                    l.trim(),
                    "a row needs at least one feature and a target, separated by `,`",
                ));
            }
            if fields.len() > expected {
                return Err(self.error(
                    line,
                    expected + 1,
                    fields[expected],
                    format!("too many fields: {} instead of {expected}", fields.len()),
                ));
            }
            if fields.len() < expected {
                return Err(self.error(
                    line,
                    fields.len() + 1,
                    l.trim(),
                    format!("too few fields: {} instead of {expected}", fields.len()),
                ));
            }
            for (c, field) in fields.iter().enumerate() {
                let v = self.number(line, c + 1, field)?;
                if c + 1 < expected {
                    features.push(v);
                } else if self.options.target == TargetKind::Value {
                    values.push(v);
                } else {
                    labels.push(self.label(line, c + 1, field, v, sklearn.as_ref())?);
                }
            }
        }
        let n = labels.len().max(values.len());
        if n == 0 {
            return Err(self.error(
                last_line.max(text.lines().count()) + 1,
                1,
                "",
                "no data rows",
            ));
        }
        if let Some(h) = &sklearn {
            if h.rows != n {
                return Err(self.error(
                    h.line,
                    1,
                    &h.rows_text,
                    format!("the header announces {} rows but the file has {n}", h.rows),
                ));
            }
        }
        let targets = match self.options.target {
            TargetKind::Value => Targets::Values(values),
            TargetKind::Class => {
                let names = match sklearn {
                    Some(h) if !h.names.is_empty() => h.names,
                    _ => {
                        let k = labels.iter().max().map_or(0, |&m| m + 1);
                        (0..k).map(|c| c.to_string()).collect()
                    }
                };
                Targets::Classes { labels, names }
            }
        };
        let width = width.unwrap_or(0);
        Dataset::from_flat(features, width - 1, targets)
    }

    /// Returns the number of fields of a data row and the header.
    fn sklearn_header(
        &self,
        line: usize,
        l: &str,
        delimiter: char,
    ) -> Result<(usize, SklearnHeader)> {
        let fields: Vec<&str> = l.split(delimiter).map(str::trim).collect();
        let count = |c: usize, what: &str| -> Result<usize> {
            let text = fields.get(c).copied().unwrap_or("");
            match text.parse::<usize>() {
                Ok(v) => Ok(v),
                Err(_) => Err(self.error(
                    line,
                    c + 1,
                    text,
                    format!(
                        "expected the number of {what} (a scikit-learn header is \
                         `rows,features,class names...`)"
                    ),
                )),
            }
        };
        let rows = count(0, "rows")?;
        let n_features = count(1, "features")?;
        if n_features == 0 {
            return Err(self.error(line, 2, fields[1], "a dataset needs at least one feature"));
        }
        let names = fields[2..].iter().map(|s| s.to_string()).collect();
        let header = SklearnHeader {
            line,
            rows_text: fields[0].to_string(),
            rows,
            names,
        };
        Ok((n_features + 1, header))
    }

    fn number(&self, line: usize, column: usize, field: &str) -> Result<f64> {
        if field.is_empty() {
            return Err(self.error(line, column, field, "empty field"));
        }
        match field.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(self.error(
                line,
                column,
                field,
                "not a finite number (NaN and infinity are not allowed)",
            )),
            Err(_) => Err(self.error(line, column, field, "not a number")),
        }
    }

    fn label(
        &self,
        line: usize,
        column: usize,
        field: &str,
        v: f64,
        header: Option<&SklearnHeader>,
    ) -> Result<usize> {
        if v < 0.0 || v.fract() != 0.0 || v > u32::MAX as f64 {
            return Err(self.error(
                line,
                column,
                field,
                "a class label must be a non-negative integer",
            ));
        }
        let y = v as usize;
        if let Some(h) = header.filter(|h| !h.names.is_empty()) {
            if y >= h.names.len() {
                return Err(self.error(
                    line,
                    column,
                    field,
                    format!(
                        "class label {y} is out of range: the header names {} classes",
                        h.names.len()
                    ),
                ));
            }
        }
        Ok(y)
    }
}

#[cfg(feature = "datasets")]
pub mod datasets {
    //! The four real datasets, embedded in the crate (UCI Machine Learning Repository, as
    //! distributed with scikit-learn; see the crate's `data/` directory). All features are raw:
    //! standardize them (fitted on the training split) before training.
    //!
    //! | loader | rows | features | classes |
    //! |---|---|---|---|
    //! | [`breast_cancer`] | 569 | 30 | 2: malignant, benign |
    //! | [`iris`] | 150 | 4 | 3: setosa, versicolor, virginica |
    //! | [`wine`] | 178 | 13 | 3: class_0, class_1, class_2 |
    //! | [`digits`] | 1797 | 64 (8x8 pixel counts 0..16) | 10: "0" .. "9" |
    //!
    //! ```
    //! let digits = autodiff_runtime::data::datasets::digits();
    //! assert_eq!((digits.len(), digits.n_features(), digits.n_classes()), (1797, 64, Some(10)));
    //! ```

    use super::{CsvOptions, Dataset, Header};

    fn embedded(name: &str, text: &str, header: Header) -> Dataset {
        match CsvOptions::new().with_header(header).parse(text, name) {
            Ok(data) => data,
            // the crate's tests load every embedded file
            Err(e) => panic!("autodiff: the embedded dataset is corrupt: {e}"),
        }
    }

    /// Breast Cancer Wisconsin (Diagnostic), W. H. Wolberg, W. N. Street,
    /// O. L. Mangasarian: 569 rows, 30 real features, classes 0 = malignant, 1 = benign.
    pub fn breast_cancer() -> Dataset {
        embedded(
            "breast_cancer.csv",
            include_str!("../data/breast_cancer.csv"),
            Header::Sklearn,
        )
    }

    /// Iris, R. A. Fisher: 150 rows, 4 real features, classes setosa, versicolor, virginica.
    pub fn iris() -> Dataset {
        embedded(
            "iris.csv",
            include_str!("../data/iris.csv"),
            Header::Sklearn,
        )
    }

    /// Wine recognition, M. Forina et al.: 178 rows, 13 real features, classes class_0,
    /// class_1, class_2.
    pub fn wine() -> Dataset {
        embedded(
            "wine_data.csv",
            include_str!("../data/wine_data.csv"),
            Header::Sklearn,
        )
    }

    /// Optical Recognition of Handwritten Digits (test set), E. Alpaydin, C. Kaynak:
    /// 1797 rows, 64 features (an 8x8 image, pixel counts 0..16, row by row), digits 0..9.
    pub fn digits() -> Dataset {
        embedded(
            "digits.csv",
            include_str!("../data/digits.csv"),
            Header::None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_err(text: &str) -> (usize, usize, String, String) {
        csv_err_with(&CsvOptions::new(), text)
    }

    fn csv_err_with(options: &CsvOptions, text: &str) -> (usize, usize, String, String) {
        match options.parse(text, "t.csv") {
            Err(Error::Csv {
                file,
                line,
                column,
                text,
                reason,
            }) => {
                assert_eq!(file, "t.csv");
                (line, column, text, reason)
            }
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }

    #[test]
    fn csv_parses_features_and_labels() {
        let data = CsvOptions::new()
            .parse(" 1.5, 2 ,0\r\n\n3,4e1,2\n", "t.csv")
            .unwrap();
        assert_eq!(data.features(), &[1.5, 2.0, 3.0, 40.0]);
        assert_eq!(data.labels().unwrap(), &[0, 2]);
        assert_eq!(data.n_classes(), Some(3));
    }

    #[test]
    fn csv_malformed_number_names_line_column_text() {
        let (line, column, text, reason) = csv_err("1,2,0\n3,4,1\n5,6..1,0\n");
        assert_eq!((line, column, text.as_str()), (3, 2, "6..1"));
        assert_eq!(reason, "not a number");
    }

    #[test]
    fn csv_empty_field_is_an_error() {
        let (line, column, text, reason) = csv_err("1,,0\n");
        assert_eq!((line, column, text.as_str()), (1, 2, ""));
        assert_eq!(reason, "empty field");
    }

    #[test]
    fn csv_ragged_rows_name_the_first_extra_or_missing_column() {
        let (line, column, text, reason) = csv_err("1,2,0\n1,2,3,0\n");
        assert_eq!((line, column, text.as_str()), (2, 4, "0"));
        assert!(
            reason.contains("too many fields: 4 instead of 3"),
            "{reason}"
        );
        let (line, column, text, reason) = csv_err("1,2,0\n\n1,0\n");
        assert_eq!((line, column, text.as_str()), (3, 3, "1,0"));
        assert!(
            reason.contains("too few fields: 2 instead of 3"),
            "{reason}"
        );
    }

    #[test]
    fn csv_empty_file_is_an_error() {
        for text in ["", "\n\n  \n"] {
            let (line, column, _, reason) = csv_err(text);
            assert_eq!(column, 1);
            assert!(line >= 1);
            assert_eq!(reason, "no data rows");
        }
        let options = CsvOptions::new().with_header(Header::Names);
        let (line, _, _, reason) = csv_err_with(&options, "a,b,y\n");
        assert_eq!((line, reason.as_str()), (2, "no data rows"));
    }

    #[test]
    fn csv_nan_and_infinity_are_errors() {
        for bad in ["NaN", "nan", "inf", "-infinity", "1e999"] {
            let (line, column, text, reason) = csv_err(&format!("1,2,0\n3,{bad},1\n"));
            assert_eq!((line, column, text.as_str()), (2, 2, bad));
            assert!(reason.starts_with("not a finite number"), "{reason}");
        }
    }

    #[test]
    fn csv_bad_labels_are_errors() {
        for bad in ["-1", "0.5"] {
            let (line, column, text, reason) = csv_err(&format!("1,{bad}\n"));
            assert_eq!((line, column, text.as_str()), (1, 2, bad));
            assert_eq!(reason, "a class label must be a non-negative integer");
        }
        let options = CsvOptions::new().with_header(Header::Sklearn);
        let (line, column, text, reason) = csv_err_with(&options, "2,1,a,b\n1,0\n1,2\n");
        assert_eq!((line, column, text.as_str()), (3, 2, "2"));
        assert!(reason.contains("out of range"), "{reason}");
    }

    #[test]
    fn csv_float_targets() {
        let options = CsvOptions::new()
            .with_target(TargetKind::Value)
            .with_delimiter(';');
        let data = options.parse("1;-0.5\n2;2.5\n", "t.csv").unwrap();
        assert_eq!(data.values().unwrap(), &[-0.5, 2.5]);
        assert!(data.labels().is_err());
    }

    #[test]
    fn csv_sklearn_header_is_checked() {
        let options = CsvOptions::new().with_header(Header::Sklearn);
        let (line, column, text, reason) = csv_err_with(&options, "3,2,a,b\n1,2,0\n3,4,1\n");
        assert_eq!((line, column, text.as_str()), (1, 1, "3"));
        assert!(
            reason.contains("announces 3 rows but the file has 2"),
            "{reason}"
        );
        let (line, column, text, _) = csv_err_with(&options, "2,two,a\n1,2,0\n");
        assert_eq!((line, column, text.as_str()), (1, 2, "two"));
        // the header fixes the width: a row with 3 features is ragged even on line 2
        let (line, column, _, _) = csv_err_with(&options, "1,2,a\n1,2,3,0\n");
        assert_eq!((line, column), (2, 4));
        let data = options.parse("2,2,a,b\n1,2,0\n3,4,0\n", "t.csv").unwrap();
        assert_eq!(data.class_names().unwrap(), &["a", "b"]);
        assert_eq!(data.class_counts().unwrap(), vec![2, 0]);
    }

    #[test]
    fn csv_single_column_is_an_error() {
        let (line, column, text, _) = csv_err("1\n2\n");
        assert_eq!((line, column, text.as_str()), (1, 1, "1"));
    }

    #[test]
    fn load_reports_missing_file_and_reads_a_file() {
        let dir = std::env::temp_dir().join(format!("autodiff-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.csv");
        match load_csv(&missing) {
            Err(Error::Io { path, .. }) => assert!(path.ends_with("missing.csv")),
            other => panic!("expected an I/O error, got {other:?}"),
        }
        let path = dir.join("ok.csv");
        std::fs::write(&path, "1,2,1\n3,4,0\n5,x,1\n").unwrap();
        match load_csv(&path) {
            Err(Error::Csv {
                file, line, column, ..
            }) => {
                assert!(file.ends_with("ok.csv"));
                assert_eq!((line, column), (3, 2));
            }
            other => panic!("expected a CSV error, got {other:?}"),
        }
        std::fs::write(&path, "1,2,1\n3,4,0\n").unwrap();
        assert_eq!(load_csv(&path).unwrap().len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn embedded_datasets_have_the_documented_shapes() {
        let cases = [
            (datasets::breast_cancer(), 569, 30, 2, vec![212, 357]),
            (datasets::iris(), 150, 4, 3, vec![50, 50, 50]),
            (datasets::wine(), 178, 13, 3, vec![59, 71, 48]),
            (
                datasets::digits(),
                1797,
                64,
                10,
                vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
            ),
        ];
        for (data, n, d, k, counts) in cases {
            assert_eq!(
                (data.len(), data.n_features(), data.n_classes()),
                (n, d, Some(k))
            );
            assert_eq!(data.class_counts().unwrap(), counts);
        }
        assert_eq!(
            datasets::iris().class_names().unwrap(),
            &["setosa", "versicolor", "virginica"]
        );
        assert_eq!(datasets::breast_cancer().row(0)[..3], [17.99, 10.38, 122.8]);
        let digits = datasets::digits();
        assert!(digits.features().iter().all(|&p| (0.0..=16.0).contains(&p)));
    }

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

    fn assert_partition(train: &[usize], test: &[usize], n: usize) {
        let mut seen = vec![false; n];
        for &i in train.iter().chain(test) {
            assert!(!seen[i], "index {i} appears twice");
            seen[i] = true;
        }
        assert!(seen.iter().all(|&s| s), "an index is missing");
    }

    #[test]
    fn split_is_seeded_disjoint_and_complete() {
        let (train, test) = split_indices(100, 0.25, 9).unwrap();
        assert_eq!((train.len(), test.len()), (75, 25));
        assert_partition(&train, &test, 100);
        assert_eq!(split_indices(100, 0.25, 9).unwrap(), (train.clone(), test));
        assert_ne!(split_indices(100, 0.25, 10).unwrap().0, train);
        let mut sorted = train.clone();
        sorted.sort_unstable();
        assert_ne!(sorted, train, "the split is shuffled");
        // tiny fractions still leave one example on each side
        assert_eq!(split_indices(3, 0.01, 0).unwrap().1.len(), 1);
        assert_eq!(split_indices(3, 0.99, 0).unwrap().0.len(), 1);
        for bad in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(matches!(
                split_indices(10, bad, 0),
                Err(Error::InvalidParameter {
                    name: "test_fraction",
                    ..
                })
            ));
        }
        assert!(matches!(
            split_indices(1, 0.5, 0),
            Err(Error::InvalidData(_))
        ));
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
    fn stratified_split_keeps_class_proportions() {
        let data = datasets::iris();
        let (train_idx, test_idx) =
            stratified_split_indices(data.labels().unwrap(), 0.2, 1).unwrap();
        assert_partition(&train_idx, &test_idx, 150);
        let (train, test) = data.stratified_split(0.2, 1).unwrap();
        assert_eq!(train.class_counts().unwrap(), vec![40, 40, 40]);
        assert_eq!(test.class_counts().unwrap(), vec![10, 10, 10]);
        assert_eq!(data.stratified_split(0.2, 1).unwrap().1, test);
        let regression = Dataset::regression(vec![vec![1.0], vec![2.0]], vec![0.0; 2]).unwrap();
        assert!(regression.stratified_split(0.5, 0).is_err());
        assert!(stratified_split_indices(&[0, 1], 0.2, 0).is_err());
    }

    #[test]
    fn one_hot_encodes_and_checks_range() {
        let data = Dataset::classification(vec![vec![0.0]; 3], vec![1, 0, 2]).unwrap();
        assert_eq!(
            data.one_hot().unwrap(),
            vec![
                vec![0.0, 1.0, 0.0],
                vec![1.0, 0.0, 0.0],
                vec![0.0, 0.0, 1.0]
            ]
        );
        assert!(one_hot(&[0, 3], 3).is_err());
        assert_eq!(one_hot_array::<2>(&[1]).unwrap(), vec![[0.0, 1.0]]);
        let values = Dataset::regression(vec![vec![0.0]], vec![1.0]).unwrap();
        assert!(values.one_hot().is_err());
    }

    #[test]
    fn batches_cover_every_example_once_and_reshuffle() {
        let mut batches = Batches::new(23, 5, 11).unwrap();
        assert_eq!(batches.n_batches(), 5);
        let mut epochs = Vec::new();
        for _ in 0..3 {
            let epoch: Vec<Vec<usize>> = batches.next_epoch().map(<[usize]>::to_vec).collect();
            assert_eq!(
                epoch.iter().map(Vec::len).collect::<Vec<_>>(),
                [5, 5, 5, 5, 3]
            );
            let mut all: Vec<usize> = epoch.concat();
            all.sort_unstable();
            assert_eq!(all, (0..23).collect::<Vec<_>>());
            epochs.push(epoch);
        }
        assert_ne!(epochs[0], epochs[1]);
        assert_ne!(epochs[1], epochs[2]);
        // same seed, same sequence of epochs
        let mut again = Batches::new(23, 5, 11).unwrap();
        for epoch in &epochs {
            assert_eq!(
                &again
                    .next_epoch()
                    .map(<[usize]>::to_vec)
                    .collect::<Vec<_>>(),
                epoch
            );
        }
        // full batch and batch size 1
        let mut full = Batches::new(4, 4, 0).unwrap();
        assert_eq!(
            full.next_epoch().collect::<Vec<_>>(),
            vec![&[0, 1, 2, 3][..]]
        );
        assert_eq!(Batches::new(4, 1, 0).unwrap().next_epoch().count(), 4);
    }

    #[test]
    fn batches_reject_bad_sizes() {
        for (n, b) in [(10, 0), (10, 11)] {
            assert!(matches!(
                Batches::new(n, b, 0),
                Err(Error::InvalidParameter {
                    name: "batch_size",
                    ..
                })
            ));
        }
        assert!(matches!(Batches::new(0, 1, 0), Err(Error::InvalidData(_))));
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
}
