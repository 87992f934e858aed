//! CSV files as datasets: a header, a target column and kind, numbers checked field by field,
//! every error with its file, line and column.

use std::path::Path;

use super::classes::ClassMap;
use super::records::{Record, Records};
use super::{Dataset, Targets};
use crate::{Error, Result};

/// The most distinct class labels a CSV column may have by default (see
/// [`CsvOptions::with_max_classes`]); also the largest class count of
/// [`Dataset::classification`].
pub const DEFAULT_MAX_CLASSES: usize = 1000;

/// What the first row of a CSV file is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Header {
    /// A header if none of its fields is a number, else data.
    #[default]
    Auto,
    /// Every row is data.
    None,
    /// The first row names the columns.
    Names,
    /// The first row is a scikit-learn header `rows,features,class name,...`: the row and
    /// feature counts are checked, the target column holds class indices into the names.
    Sklearn,
}

/// What the target column holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetKind {
    /// Class labels, numbers or strings: each distinct value is a class (see
    /// [`CsvOptions::with_max_classes`]). The classes are sorted (numerically when every label
    /// is a number) and numbered `0..k`.
    #[default]
    Class,
    /// A float value (regression).
    Value,
}

/// Which column is the target; every other column is a feature.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TargetColumn {
    /// The last column.
    #[default]
    Last,
    /// The column at this 0-based index.
    Index(usize),
    /// The column with this name in the header.
    Name(String),
}

impl From<usize> for TargetColumn {
    fn from(index: usize) -> Self {
        TargetColumn::Index(index)
    }
}

impl From<&str> for TargetColumn {
    fn from(name: &str) -> Self {
        TargetColumn::Name(name.to_string())
    }
}

/// How to read a CSV file: one example per row, numeric features and one target column,
/// separated by commas (or [`CsvOptions::with_delimiter`]).
///
/// Fields may be quoted (`"1,5"`, `""` for a quote inside), unquoted fields are trimmed,
/// blank lines are skipped, a UTF-8 byte-order mark is ignored. By default the first row is a
/// header when none of its fields is a number, the target is the last column, and it holds
/// class labels.
///
/// ```
/// use autodiff_runtime::data::{CsvOptions, TargetKind};
///
/// let text = "size,price,rooms\n50,120000,2\n80,210000,3\n";
/// let data = CsvOptions::new()
///     .with_target_column("price")
///     .with_target(TargetKind::Value)
///     .parse(text, "houses.csv")?;
/// assert_eq!(data.values()?, &[120000.0, 210000.0]);
/// assert_eq!(data.row(1), &[80.0, 3.0]);
///
/// // class labels are whatever the file says, numbered in sorted order
/// let data = CsvOptions::new().parse("1.0,2.0,\"dog\"\n3.0,4.0,cat\n", "pets.csv")?;
/// assert_eq!(data.class_names(), Some(&["cat".to_string(), "dog".to_string()][..]));
/// assert_eq!(data.labels()?, &[1, 0]);
///
/// let err = CsvOptions::new().parse("1,2,0\n1,x,1\n", "bad.csv").unwrap_err();
/// assert_eq!(err.to_string(), "bad.csv:2: column 2: not a number (found `x`)");
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    header: Header,
    target: TargetKind,
    column: TargetColumn,
    delimiter: char,
    max_classes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: Header::Auto,
            target: TargetKind::Class,
            column: TargetColumn::Last,
            delimiter: ',',
            max_classes: DEFAULT_MAX_CLASSES,
        }
    }
}

impl CsvOptions {
    /// A header detected, class labels in the last column, comma-separated, at most
    /// [`DEFAULT_MAX_CLASSES`] classes.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the first row is.
    #[must_use]
    pub fn with_header(mut self, header: Header) -> Self {
        self.header = header;
        self
    }

    /// What the target column holds.
    #[must_use]
    pub fn with_target(mut self, target: TargetKind) -> Self {
        self.target = target;
        self
    }

    /// Which column is the target: a 0-based index (`3`) or a header name (`"price"`).
    #[must_use]
    pub fn with_target_column(mut self, column: impl Into<TargetColumn>) -> Self {
        self.column = column.into();
        self
    }

    /// The field separator (default `,`): an ASCII character other than `"`, `\r`, `\n`.
    #[must_use]
    pub fn with_delimiter(mut self, delimiter: char) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// The most distinct class labels accepted (default [`DEFAULT_MAX_CLASSES`]). More is an
    /// error: a column with that many values is usually a number to regress on.
    #[must_use]
    pub fn with_max_classes(mut self, max_classes: usize) -> Self {
        self.max_classes = max_classes;
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
    /// [`Error::InvalidParameter`] for a bad delimiter, a target column index past the last
    /// column, or a `max_classes` of 0. [`Error::Csv`] with the 1-based line and column and
    /// the offending text, for: a quote in the wrong place; no data rows; a feature that is
    /// empty, not a number (with a hint when the first row looks like a header), NaN or
    /// infinite; a row with a different number of fields than the first (or than the header
    /// announces); more distinct class labels than `max_classes`; a target column name that
    /// is not in the header; a malformed scikit-learn header, a class index outside its
    /// names, or a row count that differs from it.
    pub fn parse(&self, text: &str, file: &str) -> Result<Dataset> {
        let delimiter = match u8::try_from(self.delimiter) {
            Ok(d) if d.is_ascii() && !matches!(d, b'"' | b'\r' | b'\n') => d,
            _ => {
                return Err(Error::InvalidParameter {
                    name: "delimiter",
                    value: f64::from(u32::from(self.delimiter)),
                    expected: "an ASCII character other than a quote or a line break",
                })
            }
        };
        if self.max_classes == 0 {
            return Err(Error::InvalidParameter {
                name: "max_classes",
                value: 0.0,
                expected: "at least 1",
            });
        }
        Parser {
            options: self,
            file,
        }
        .parse(Records::new(text, delimiter))
    }
}

/// Reads a CSV file with the default [`CsvOptions`] (header detected, class label last).
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

/// The header, once read.
struct Columns {
    /// Fields per row.
    width: usize,
    /// The 0-based target column.
    target: usize,
    /// A scikit-learn header: its line, row count (as written and parsed) and class names.
    sklearn: Option<(usize, String, usize, Vec<String>)>,
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

    fn next<'t>(&self, records: &mut Records<'t>) -> Result<Option<Record<'t>>> {
        records
            .next_record()
            .map_err(|e| self.error(e.line, e.column, &e.text, e.reason))
    }

    fn parse(&self, mut records: Records<'_>) -> Result<Dataset> {
        let first = self.next(&mut records)?;
        let is_header = first.as_ref().is_some_and(|r| match self.options.header {
            Header::Auto => r.fields.iter().all(|f| f.parse::<f64>().is_err()),
            Header::None => false,
            Header::Names | Header::Sklearn => true,
        });
        let (mut columns, mut pending) = match (&first, is_header) {
            (Some(header), true) => (Some(self.header(header)?), None),
            _ => (None, first),
        };

        let mut features = Vec::new();
        let mut values = Vec::new();
        let mut indices = Vec::new();
        let mut classes = ClassMap::default();
        let mut n = 0;
        while let Some(record) = match pending.take() {
            Some(r) => Some(r),
            None => self.next(&mut records)?,
        } {
            let cols = match &columns {
                Some(c) => c,
                None => columns.insert(self.columns(
                    record.line,
                    record.raw,
                    record.fields.len(),
                    None,
                )?),
            };
            self.check_width(&record, cols.width)?;
            for (c, field) in record.fields.iter().enumerate() {
                let column = c + 1;
                if c != cols.target {
                    features.push(self.number(&record, column, field, n == 0 && !is_header)?);
                } else if self.options.target == TargetKind::Value {
                    values.push(self.number(&record, column, field, false)?);
                } else if let Some((_, _, _, names)) = &cols.sklearn {
                    indices.push(self.class_index(&record, column, field, names)?);
                } else if field.is_empty() {
                    return Err(self.error(record.line, column, field, "empty class label"));
                } else if let Err(cap) = classes.push(field, self.options.max_classes) {
                    return Err(self.error(
                        record.line,
                        column,
                        field,
                        format!(
                            "more than {cap} distinct class labels: if the column is a \
                             number, read it with `TargetKind::Value`; else raise the cap \
                             with `CsvOptions::with_max_classes`"
                        ),
                    ));
                }
            }
            n += 1;
        }
        let Some(columns) = columns.filter(|_| n > 0) else {
            return Err(self.error(records.end_line(), 1, "", "no data rows"));
        };
        let targets = match (self.options.target, columns.sklearn) {
            (TargetKind::Value, _) => Targets::Values(values),
            (TargetKind::Class, Some((line, rows_text, rows, names))) => {
                if rows != n {
                    return Err(self.error(
                        line,
                        1,
                        &rows_text,
                        format!("the header announces {rows} rows but the file has {n}"),
                    ));
                }
                Targets::Classes {
                    labels: indices,
                    names,
                }
            }
            (TargetKind::Class, None) => {
                let (labels, names) = classes.finish();
                Targets::Classes { labels, names }
            }
        };
        Dataset::from_flat(features, columns.width - 1, targets)
    }

    /// The columns a header defines.
    fn header(&self, header: &Record<'_>) -> Result<Columns> {
        if self.options.header == Header::Sklearn {
            return self.sklearn_header(header);
        }
        self.columns(header.line, header.raw, header.fields.len(), Some(header))
    }

    /// The columns of rows of `width` fields, the first on `line` with text `raw`; `names`
    /// is the header, if any.
    fn columns(
        &self,
        line: usize,
        raw: &str,
        width: usize,
        names: Option<&Record<'_>>,
    ) -> Result<Columns> {
        if width < 2 {
            return Err(self.error(
                line,
                1,
                raw,
                "a row needs at least one feature and a target, separated by the delimiter",
            ));
        }
        let target = match &self.options.column {
            TargetColumn::Last => width - 1,
            &TargetColumn::Index(i) if i < width => i,
            &TargetColumn::Index(i) => {
                return Err(Error::InvalidParameter {
                    name: "target_column",
                    value: i as f64,
                    expected: "a 0-based index of a column of the file",
                })
            }
            TargetColumn::Name(name) => {
                let header = names.ok_or_else(|| {
                    self.error(
                        line,
                        1,
                        raw,
                        format!(
                            "the target column is named `{name}` but the file has no header \
                             (use `Header::Names`, or the column's index)"
                        ),
                    )
                })?;
                header
                    .fields
                    .iter()
                    .position(|f| f == name)
                    .ok_or_else(|| {
                        self.error(
                            header.line,
                            1,
                            header.raw,
                            format!("no column is named `{name}`"),
                        )
                    })?
            }
        };
        Ok(Columns {
            width,
            target,
            sklearn: None,
        })
    }

    fn sklearn_header(&self, header: &Record<'_>) -> Result<Columns> {
        let count = |c: usize, what: &str| -> Result<usize> {
            let text = header.fields.get(c).map_or("", |f| f.as_ref());
            text.parse::<usize>().map_err(|_| {
                self.error(
                    header.line,
                    c + 1,
                    text,
                    format!(
                        "expected the number of {what} (a scikit-learn header is \
                         `rows,features,class names...`)"
                    ),
                )
            })
        };
        let rows = count(0, "rows")?;
        let n_features = count(1, "features")?;
        if n_features == 0 {
            return Err(self.error(
                header.line,
                2,
                &header.fields[1],
                "a dataset needs at least one feature",
            ));
        }
        let names: Vec<String> = header.fields[2..].iter().map(|s| s.to_string()).collect();
        // a scikit-learn header names no columns: a target column by name is an error
        let mut columns = self.columns(header.line, header.raw, n_features + 1, None)?;
        if !names.is_empty() {
            columns.sklearn = Some((header.line, header.fields[0].to_string(), rows, names));
        }
        Ok(columns)
    }

    fn check_width(&self, record: &Record<'_>, width: usize) -> Result<()> {
        let n = record.fields.len();
        if n > width {
            Err(self.error(
                record.line,
                width + 1,
                &record.fields[width],
                format!("too many fields: {n} instead of {width}"),
            ))
        } else if n < width {
            Err(self.error(
                record.line,
                n + 1,
                record.raw,
                format!("too few fields: {n} instead of {width}"),
            ))
        } else {
            Ok(())
        }
    }

    /// A finite number; `first_row` adds a hint that the row may be a header.
    fn number(
        &self,
        record: &Record<'_>,
        column: usize,
        field: &str,
        first_row: bool,
    ) -> Result<f64> {
        if field.is_empty() {
            return Err(self.error(record.line, column, field, "empty field"));
        }
        match field.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(self.error(
                record.line,
                column,
                field,
                "not a finite number (NaN and infinity are not allowed)",
            )),
            Err(_) if first_row => Err(self.error(
                record.line,
                column,
                field,
                "not a number; if the first row names the columns, read it with \
                 `Header::Names`",
            )),
            Err(_) => Err(self.error(record.line, column, field, "not a number")),
        }
    }

    /// A class index into the names of a scikit-learn header.
    fn class_index(
        &self,
        record: &Record<'_>,
        column: usize,
        field: &str,
        names: &[String],
    ) -> Result<usize> {
        match field.parse::<usize>() {
            Ok(y) if y < names.len() => Ok(y),
            _ => Err(self.error(
                record.line,
                column,
                field,
                format!(
                    "expected a class index below {}: the header names {} classes",
                    names.len(),
                    names.len()
                ),
            )),
        }
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
        assert_eq!(data.labels().unwrap(), &[0, 1]);
        assert_eq!(data.class_names().unwrap(), &["0", "2"]);
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
    fn csv_sklearn_class_indices_must_name_a_class() {
        let options = CsvOptions::new().with_header(Header::Sklearn);
        for bad in ["2", "-1", "0.5", "a"] {
            let text = format!("2,1,a,b\n1,0\n1,{bad}\n");
            let (line, column, text, reason) = csv_err_with(&options, &text);
            assert_eq!((line, column, text.as_str()), (3, 2, bad));
            assert!(reason.contains("class index below 2"), "{reason}");
        }
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

    /// Rows `x,label` for the given labels.
    fn labelled(labels: &[&str]) -> String {
        labels.iter().map(|y| format!("1.0,{y}\n")).collect()
    }

    #[test]
    fn csv_labels_are_mapped_from_their_distinct_values() {
        // one huge label is one class: nothing is sized by its value
        let data = CsvOptions::new()
            .parse(&labelled(&["4000000000", "4000000000"]), "t.csv")
            .unwrap();
        assert_eq!(data.class_names().unwrap(), &["4000000000"]);
        assert_eq!(data.labels().unwrap(), &[0, 0]);
        // sparse labels make as many classes as they have values
        let data = CsvOptions::new()
            .parse(&labelled(&["50000000", "0", "1"]), "t.csv")
            .unwrap();
        assert_eq!(data.class_names().unwrap(), &["0", "1", "50000000"]);
        assert_eq!(data.labels().unwrap(), &[2, 0, 1]);
        // labels 1..3 make 3 classes, none of them empty
        let data = CsvOptions::new()
            .parse(&labelled(&["1", "2", "3", "2.0"]), "t.csv")
            .unwrap();
        assert_eq!(data.class_names().unwrap(), &["1", "2", "3"]);
        assert_eq!(data.class_counts().unwrap(), vec![1, 2, 1]);
        // strings, quoted or not
        let data = CsvOptions::new()
            .parse(&labelled(&["\"b, c\"", "a", "\"b, c\""]), "t.csv")
            .unwrap();
        assert_eq!(data.class_names().unwrap(), &["a", "b, c"]);
        assert_eq!(data.labels().unwrap(), &[1, 0, 1]);
        let (line, column, _, reason) = csv_err(&labelled(&["a", "\"\""]));
        assert_eq!((line, column, reason.as_str()), (2, 2, "empty class label"));
    }

    #[test]
    fn csv_a_continuous_target_read_as_classes_is_an_error() {
        // a price column: every row a new value
        let cap = DEFAULT_MAX_CLASSES;
        let prices: Vec<String> = (0..=cap).map(|i| format!("{}.5", 1000 + i)).collect();
        let prices: Vec<&str> = prices.iter().map(String::as_str).collect();
        let (line, column, text, reason) = csv_err(&labelled(&prices));
        assert_eq!((line, column, text.as_str()), (cap + 1, 2, prices[cap]));
        assert!(
            reason.contains(&format!("more than {cap} distinct class labels")),
            "{reason}"
        );
        assert!(reason.contains("TargetKind::Value"), "{reason}");
        // the cap is configurable, and counts distinct values only
        let options = CsvOptions::new().with_max_classes(2);
        let (line, _, _, _) = csv_err_with(&options, &labelled(&["x", "y", "x", "z"]));
        assert_eq!(line, 4);
        assert!(options
            .parse(&labelled(&["x", "y", "x", "y"]), "t.csv")
            .is_ok());
    }

    #[test]
    fn csv_headers_are_detected_or_hinted() {
        let text = "size,rooms,price\n50,2,120000\n80,3,210000\n";
        let data = CsvOptions::new()
            .with_target(TargetKind::Value)
            .parse(text, "t.csv")
            .unwrap();
        assert_eq!(data.values().unwrap(), &[120000.0, 210000.0]);
        // a header that is partly numeric is not detected: the error hints at Header::Names
        let (line, column, text, reason) = csv_err("size,2020,price\n50,2,1\n");
        assert_eq!((line, column, text.as_str()), (1, 1, "size"));
        assert!(reason.contains("Header::Names"), "{reason}");
        let names = CsvOptions::new().with_header(Header::Names);
        let data = names.parse("size,2020,price\n50,2,1\n", "t.csv").unwrap();
        assert_eq!(data.row(0), &[50.0, 2.0]);
        // told there is no header, the first row is data: the same hint
        let none = CsvOptions::new().with_header(Header::None);
        let (line, _, _, reason) = csv_err_with(&none, "x,y\n1,0\n");
        assert_eq!(line, 1);
        assert!(reason.contains("Header::Names"), "{reason}");
        // a non-number later in the file gets no hint
        let (_, _, _, reason) = csv_err("1,0\nx,1\n");
        assert_eq!(reason, "not a number");
    }

    #[test]
    fn csv_target_column_by_index_or_name() {
        let text = "a,y,b\n1,7,2\n3,8,4\n";
        for options in [
            CsvOptions::new().with_target_column(1),
            CsvOptions::new().with_target_column("y"),
        ] {
            let data = options
                .with_target(TargetKind::Value)
                .parse(text, "t.csv")
                .unwrap();
            assert_eq!(data.features(), &[1.0, 2.0, 3.0, 4.0]);
            assert_eq!(data.values().unwrap(), &[7.0, 8.0]);
        }
        let (line, _, _, reason) = csv_err_with(&CsvOptions::new().with_target_column("z"), text);
        assert_eq!(line, 1);
        assert_eq!(reason, "no column is named `z`");
        let no_header = CsvOptions::new().with_target_column("y");
        let (_, _, _, reason) = csv_err_with(&no_header, "1,7,2\n");
        assert!(reason.contains("has no header"), "{reason}");
        let far = CsvOptions::new().with_target_column(3).parse(text, "t.csv");
        assert!(matches!(
            far,
            Err(Error::InvalidParameter {
                name: "target_column",
                ..
            })
        ));
    }

    #[test]
    fn csv_quotes_and_byte_order_mark() {
        let text = "\u{feff}1,\"2\",\"yes\"\n\"3.5\" , 4 ,no\n";
        let data = CsvOptions::new().parse(text, "t.csv").unwrap();
        assert_eq!(data.features(), &[1.0, 2.0, 3.5, 4.0]);
        assert_eq!(data.class_names().unwrap(), &["no", "yes"]);
        // a byte-order mark before a header
        let data = CsvOptions::new()
            .with_target(TargetKind::Value)
            .parse("\u{feff}x,y\n1,2\n", "t.csv")
            .unwrap();
        assert_eq!(data.values().unwrap(), &[2.0]);
        // a quoted number with a decimal comma is not a number
        let (line, column, text, reason) = csv_err("\"1,5\",0\n");
        assert_eq!(
            (line, column, text.as_str(), reason.as_str()),
            (
                1,
                1,
                "1,5",
                "not a number; if the first row names the columns, read it with `Header::Names`"
            )
        );
        // quote errors come with their position
        let (line, column, _, reason) = csv_err("1,0\n2,\"1\n");
        assert_eq!(
            (line, column, reason.as_str()),
            (2, 2, "a quoted field is not closed")
        );
    }

    #[test]
    fn csv_bad_options_are_errors() {
        for bad in ['"', '\n', 'é'] {
            let err = CsvOptions::new()
                .with_delimiter(bad)
                .parse("1,0\n", "t.csv");
            assert!(matches!(
                err,
                Err(Error::InvalidParameter {
                    name: "delimiter",
                    ..
                })
            ));
        }
        let err = CsvOptions::new()
            .with_max_classes(0)
            .parse("1,0\n", "t.csv");
        assert!(matches!(
            err,
            Err(Error::InvalidParameter {
                name: "max_classes",
                ..
            })
        ));
        let data = CsvOptions::new()
            .with_delimiter('\t')
            .parse("1\t 2\t0\n", "t.csv")
            .unwrap();
        assert_eq!(data.features(), &[1.0, 2.0]);
    }
}
