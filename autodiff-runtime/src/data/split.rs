//! Seeded train/test splits of example indices, plain and stratified by class.

use std::collections::BTreeMap;

use super::invalid;
use crate::rng::Rng;
use crate::{Error, Result};

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
    // grouped by the labels present, in label order: nothing is sized by a label's value
    let mut by_class: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &y) in labels.iter().enumerate() {
        by_class.entry(y).or_default().push(i);
    }
    let mut rng = Rng::seeded(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut members in by_class.into_values() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{datasets, Dataset};

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
    fn stratified_split_of_huge_labels_allocates_by_the_classes_present() {
        let labels = [4_000_000_000, 7, 7, 4_000_000_000, 7, 4_000_000_000];
        let (train, test) = stratified_split_indices(&labels, 0.34, 0).unwrap();
        assert_partition(&train, &test, labels.len());
        assert_eq!(test.len(), 2);
        assert_ne!(labels[test[0]], labels[test[1]]);
    }
}
