//! Class labels as they appear in a file (`"setosa"`, `"1"`, `"4000000000"`, `"2.5"`) mapped
//! to class indices `0..k`, one per distinct value.
//!
//! Nothing is sized by a label's value: the classes are the distinct values seen, at most a
//! cap of them, so a price column read as classes is a clear error instead of 780001 classes,
//! and labels `1, 2, 3` make 3 classes, not an empty class 0.

use std::collections::HashMap;

/// The classes of a column: numbers (all labels parse as numbers, compared as numbers, so
/// `1` and `1.0` are one class) or strings (compared as text).
#[derive(Default)]
pub(super) struct ClassMap {
    /// The distinct labels in order of first appearance, with their canonical key.
    seen: Vec<(Key, String)>,
    index: HashMap<Key, usize>,
    /// The class (in order of first appearance) of every row.
    rows: Vec<usize>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The bits of a finite number, with -0 as 0.
    Number(u64),
    Text(String),
}

impl Key {
    fn new(label: &str) -> Key {
        match label.parse::<f64>() {
            Ok(v) if v.is_finite() => Key::Number((v + 0.0).to_bits()),
            _ => Key::Text(label.to_string()),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Key::Number(bits) => Some(f64::from_bits(*bits)),
            Key::Text(_) => None,
        }
    }
}

impl ClassMap {
    /// Adds the label of the next row. `Err(cap)` if it would be class number `cap + 1`.
    pub(super) fn push(&mut self, label: &str, cap: usize) -> Result<(), usize> {
        let key = Key::new(label);
        let class = match self.index.get(&key) {
            Some(&c) => c,
            None => {
                if self.seen.len() >= cap {
                    return Err(cap);
                }
                let c = self.seen.len();
                self.index.insert(key.clone(), c);
                self.seen.push((key, label.to_string()));
                c
            }
        };
        self.rows.push(class);
        Ok(())
    }

    /// The label of every row as a class index and the class names. Classes are sorted:
    /// numerically when every label is a number (named by the number, `1.0` as `1`), else
    /// as text (named as written).
    pub(super) fn finish(self) -> (Vec<usize>, Vec<String>) {
        let numeric = self.seen.iter().all(|(k, _)| k.number().is_some());
        let mut order: Vec<usize> = (0..self.seen.len()).collect();
        if numeric {
            order.sort_by(|&a, &b| {
                let (x, y) = (self.seen[a].0.number(), self.seen[b].0.number());
                x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
            });
        } else {
            order.sort_by(|&a, &b| self.seen[a].1.cmp(&self.seen[b].1));
        }
        let mut rank = vec![0; order.len()];
        for (r, &c) in order.iter().enumerate() {
            rank[c] = r;
        }
        let names = order
            .iter()
            .map(|&c| match self.seen[c].0.number() {
                Some(v) if numeric => v.to_string(),
                _ => self.seen[c].1.clone(),
            })
            .collect();
        (self.rows.iter().map(|&c| rank[c]).collect(), names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(labels: &[&str], cap: usize) -> Result<(Vec<usize>, Vec<String>), usize> {
        let mut classes = ClassMap::default();
        for label in labels {
            classes.push(label, cap)?;
        }
        Ok(classes.finish())
    }

    #[test]
    fn numbers_are_sorted_numerically_and_named_canonically() {
        let (labels, names) = map(&["10", "2", "2.0", "-1", "0.5", "10"], 10).unwrap();
        assert_eq!(names, ["-1", "0.5", "2", "10"]);
        assert_eq!(labels, [3, 2, 2, 0, 1, 3]);
    }

    #[test]
    fn strings_are_sorted_as_text_and_keep_their_spelling() {
        let (labels, names) = map(&["virginica", "setosa", "1", "setosa"], 10).unwrap();
        assert_eq!(names, ["1", "setosa", "virginica"]);
        assert_eq!(labels, [2, 1, 0, 1]);
    }

    #[test]
    fn the_cap_counts_distinct_values_only() {
        let labels: Vec<String> = (0..5).map(|i| (i % 3).to_string()).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        assert!(map(&labels, 3).is_ok());
        assert_eq!(map(&labels, 2), Err(2));
    }
}
