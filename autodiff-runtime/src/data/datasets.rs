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
        include_str!("../../data/breast_cancer.csv"),
        Header::Sklearn,
    )
}

/// Iris, R. A. Fisher: 150 rows, 4 real features, classes setosa, versicolor, virginica.
pub fn iris() -> Dataset {
    embedded(
        "iris.csv",
        include_str!("../../data/iris.csv"),
        Header::Sklearn,
    )
}

/// Wine recognition, M. Forina et al.: 178 rows, 13 real features, classes class_0,
/// class_1, class_2.
pub fn wine() -> Dataset {
    embedded(
        "wine_data.csv",
        include_str!("../../data/wine_data.csv"),
        Header::Sklearn,
    )
}

/// Optical Recognition of Handwritten Digits (test set), E. Alpaydin, C. Kaynak:
/// 1797 rows, 64 features (an 8x8 image, pixel counts 0..16, row by row), digits 0..9.
pub fn digits() -> Dataset {
    embedded(
        "digits.csv",
        include_str!("../../data/digits.csv"),
        Header::None,
    )
}

#[cfg(test)]
mod tests {
    use crate::data::datasets;

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
}
