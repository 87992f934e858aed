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

/// Like [`split_indices`], class by class: the `round(n * test_fraction)` test indices (at
/// least one in each part, as there) are shared among the classes in proportion to their
/// counts, the rounding going to the classes with the largest remainders (scikit-learn's
/// `train_test_split(stratify=..)` does the same). Both lists are shuffled.
///
/// ```
/// // 10 classes of 2: 4 test examples of 4 classes, not one of each (which would be 50%)
/// let labels: Vec<usize> = (0..20).map(|i| i / 2).collect();
/// let (train, test) = autodiff_runtime::data::stratified_split_indices(&labels, 0.2, 3)?;
/// assert_eq!((train.len(), test.len()), (16, 4));
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`] unless `0 < test_fraction < 1`; [`Error::InvalidData`] with
/// fewer than 2 labels.
pub fn stratified_split_indices(
    labels: &[usize],
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    check_fraction(test_fraction)?;
    let n = labels.len();
    if n < 2 {
        return Err(invalid(format!(
            "cannot split {n} example(s) into non-empty train and test sets"
        )));
    }
    // grouped by the labels present, in label order: nothing is sized by a label's value
    let mut by_class: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &y) in labels.iter().enumerate() {
        by_class.entry(y).or_default().push(i);
    }
    let n_test = ((n as f64 * test_fraction).round() as usize).clamp(1, n - 1);
    let share = n_test as f64 / n as f64;
    let mut quotas: Vec<usize> = by_class
        .values()
        .map(|members| (members.len() as f64 * share).floor() as usize)
        .collect();
    let mut by_remainder: Vec<(f64, usize)> = by_class
        .values()
        .enumerate()
        .map(|(c, members)| (members.len() as f64 * share - quotas[c] as f64, c))
        .collect();
    // largest remainder first; ties to the smaller label, so the split depends on nothing else
    by_remainder.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = n_test - quotas.iter().sum::<usize>();
    for &(_, c) in by_remainder.iter().take(missing) {
        quotas[c] += 1;
    }
    let mut rng = Rng::seeded(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (mut members, quota) in by_class.into_values().zip(quotas) {
        rng.shuffle(&mut members);
        test.extend(members.drain(members.len() - quota..));
        train.extend(members);
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
        assert!(stratified_split_indices(&[0], 0.2, 0).is_err());
    }

    #[test]
    fn stratified_split_keeps_the_total_test_size() {
        // 10 classes of 2 at 0.2: rounding each class (0.4 -> 0) would leave no test set
        let pairs: Vec<usize> = (0..20).map(|i| i / 2).collect();
        let (train, test) = stratified_split_indices(&pairs, 0.2, 3).unwrap();
        assert_eq!((train.len(), test.len()), (16, 4));
        assert_partition(&train, &test, 20);
        // 4 classes of 3 at 0.5: 6 test examples (rounding each class, 1.5 -> 2, gave 8)
        let triples: Vec<usize> = (0..12).map(|i| i / 3).collect();
        let (train, test) = stratified_split_indices(&triples, 0.5, 3).unwrap();
        assert_eq!((train.len(), test.len()), (6, 6));
        let mut per_class = [0; 4];
        for &i in &test {
            per_class[triples[i]] += 1;
        }
        // every class gets its floor (1), the two largest remainders (ties: smaller labels)
        // one more
        assert_eq!(per_class, [2, 2, 1, 1]);
        // two examples still make two parts
        assert_eq!(
            stratified_split_indices(&[0, 1], 0.2, 0).unwrap().1.len(),
            1
        );
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
