//! Data: CSV loading with clear errors, the embedded real datasets, standardization, seeded
//! train/test splits, one-hot encoding and shuffled mini-batches.
//!
//! A [`Dataset`] is a table of finite features (`f64`, or `f32` through [`Dataset::cast`];
//! rows of a fixed width) with one target per row: a class label ([`Targets::Classes`]) or a
//! float value ([`Targets::Values`]).
//!
//! One concern per module: [`CsvOptions`] reads files (CSV syntax in `records`, class labels
//! in `classes`), [`Dataset`] holds the table, [`Standardizer`] scales it, [`split_indices`]
//! and [`stratified_split_indices`] split it, [`one_hot`] encodes labels, [`Batches`] draws
//! mini-batches, and `datasets` (feature `datasets`, on by default) holds the embedded real data.
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

mod batches;
mod classes;
mod csv;
mod dataset;
#[cfg(feature = "datasets")]
pub mod datasets;
mod encode;
mod records;
mod split;
mod standardize;

pub use batches::Batches;
pub use csv::{load_csv, CsvOptions, Header, TargetColumn, TargetKind, DEFAULT_MAX_CLASSES};
pub use dataset::{Dataset, Targets};
pub use encode::{one_hot, one_hot_array};
pub use split::{split_indices, stratified_split_indices};
pub use standardize::Standardizer;

use crate::Error;
use encode::check_labels;

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidData(msg.into())
}
