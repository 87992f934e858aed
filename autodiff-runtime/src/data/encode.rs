//! One-hot encoding of class labels.

use super::invalid;
#[cfg(doc)]
use crate::Error;
use crate::Result;

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

pub(super) fn check_labels(labels: &[usize], n_classes: usize) -> Result<()> {
    match labels.iter().position(|&y| y >= n_classes) {
        Some(i) => Err(invalid(format!(
            "label {} (index {i}) is out of range for {n_classes} classes",
            labels[i]
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

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
}
