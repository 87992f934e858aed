//! CSV syntax: records of fields, with quoted fields (RFC 4180: `"a, b"`, `""` for a quote,
//! line breaks inside quotes), a byte-order mark, blank lines and `\r\n` line ends.
//!
//! Unquoted fields are trimmed; a quoted field keeps its inner spaces. Positions are 1-based
//! lines (of the text) and columns (field numbers) for error messages.

use std::borrow::Cow;

/// A syntax error: line, column, the offending text and what is wrong.
pub(super) struct SyntaxError {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) text: String,
    pub(super) reason: &'static str,
}

/// One record: the line it starts on, its fields and its raw text.
pub(super) struct Record<'t> {
    pub(super) line: usize,
    pub(super) fields: Vec<Cow<'t, str>>,
    pub(super) raw: &'t str,
}

/// The records of a text, in order, skipping blank lines.
pub(super) struct Records<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
    delimiter: u8,
}

impl<'t> Records<'t> {
    /// The records of `text` with an ASCII `delimiter`; a leading byte-order mark is skipped.
    pub(super) fn new(text: &'t str, delimiter: u8) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Records {
            text,
            pos: 0,
            line: 1,
            delimiter,
        }
    }

    /// The line after the last record (where "no data rows" is reported).
    pub(super) fn end_line(&self) -> usize {
        self.line
    }

    fn is_blank(&self, b: u8) -> bool {
        (b == b' ' || b == b'\t') && b != self.delimiter
    }

    fn skip_blanks(&mut self) {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && self.is_blank(bytes[self.pos]) {
            self.pos += 1;
        }
    }

    /// The next record, `None` at the end of the text.
    pub(super) fn next_record(&mut self) -> Result<Option<Record<'t>>, SyntaxError> {
        let bytes = self.text.as_bytes();
        loop {
            if self.pos >= bytes.len() {
                return Ok(None);
            }
            let (start, line) = (self.pos, self.line);
            let mut fields = Vec::new();
            loop {
                self.skip_blanks();
                let field = if bytes.get(self.pos) == Some(&b'"') {
                    self.quoted(fields.len() + 1)?
                } else {
                    self.unquoted(line, fields.len() + 1)?
                };
                fields.push(field);
                match bytes.get(self.pos) {
                    Some(&b) if b == self.delimiter => self.pos += 1,
                    _ => break,
                }
            }
            let end = self.pos;
            if self.pos < bytes.len() {
                // at a '\n': the record ends here
                self.pos += 1;
                self.line += 1;
            }
            let raw = self.text[start..end].trim();
            if fields.len() == 1 && raw.is_empty() {
                continue; // a blank line
            }
            return Ok(Some(Record { line, fields, raw }));
        }
    }

    /// An unquoted field up to the delimiter or the end of the line, trimmed.
    fn unquoted(&mut self, line: usize, column: usize) -> Result<Cow<'t, str>, SyntaxError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while self.pos < bytes.len()
            && bytes[self.pos] != self.delimiter
            && bytes[self.pos] != b'\n'
        {
            self.pos += 1;
        }
        let field = self.text[start..self.pos].trim();
        if field.contains('"') {
            return Err(SyntaxError {
                line,
                column,
                text: field.to_string(),
                reason: "a quote inside an unquoted field (quote the whole field)",
            });
        }
        Ok(Cow::Borrowed(field))
    }

    /// The text from byte `pos` to the end of its line (for an error message).
    fn line_from(&self, pos: usize) -> String {
        self.text[pos..].lines().next().unwrap_or("").to_string()
    }

    /// A quoted field from its opening quote to the closing one; `""` is a quote.
    fn quoted(&mut self, column: usize) -> Result<Cow<'t, str>, SyntaxError> {
        let bytes = self.text.as_bytes();
        let open_line = self.line;
        self.pos += 1;
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut piece = start;
        loop {
            match bytes.get(self.pos) {
                None => {
                    return Err(SyntaxError {
                        line: open_line,
                        column,
                        text: self.line_from(start - 1),
                        reason: "a quoted field is not closed",
                    })
                }
                Some(b'"') if bytes.get(self.pos + 1) == Some(&b'"') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[piece..=self.pos]);
                    self.pos += 2;
                    piece = self.pos;
                }
                Some(b'"') => break,
                Some(&b) => {
                    if b == b'\n' {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
            }
        }
        let field = match owned {
            Some(mut s) => {
                s.push_str(&self.text[piece..self.pos]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&self.text[start..self.pos]),
        };
        self.pos += 1; // the closing quote
        self.skip_blanks();
        match bytes.get(self.pos) {
            None | Some(b'\n') => Ok(field),
            Some(&b) if b == self.delimiter => Ok(field),
            Some(b'\r') if matches!(bytes.get(self.pos + 1), None | Some(b'\n')) => {
                self.pos += 1;
                Ok(field)
            }
            Some(_) => Err(SyntaxError {
                line: self.line,
                column,
                text: self.line_from(start - 1),
                reason: "text after the closing quote of a field",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(usize, Vec<String>)> {
        let mut records = Records::new(text, b',');
        let mut out = Vec::new();
        while let Some(r) = records.next_record().ok().unwrap() {
            out.push((r.line, r.fields.iter().map(|f| f.to_string()).collect()));
        }
        out
    }

    fn error(text: &str) -> (usize, usize, &'static str) {
        let mut records = Records::new(text, b',');
        loop {
            match records.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error in {text:?}"),
                Err(e) => return (e.line, e.column, e.reason),
            }
        }
    }

    #[test]
    fn fields_are_split_trimmed_and_numbered_by_line() {
        let got = records("\u{feff}a, b ,c\r\n\n  \n1,2,3");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (4, vec!["1".into(), "2".into(), "3".into()])
            ]
        );
    }

    #[test]
    fn quoted_fields_keep_delimiters_quotes_and_line_breaks() {
        let got = records("\"1,5\", \"say \"\"hi\"\"\" ,\"two\nlines\"\r\nx,\"\",y\n");
        assert_eq!(
            got[0],
            (
                1,
                vec!["1,5".into(), "say \"hi\"".into(), "two\nlines".into()]
            )
        );
        assert_eq!(got[1], (3, vec!["x".into(), String::new(), "y".into()]));
    }

    #[test]
    fn bad_quotes_are_errors_with_their_position() {
        assert_eq!(
            error("1,2\n3,\"4\n"),
            (2, 2, "a quoted field is not closed")
        );
        assert_eq!(
            error("1,\"2\"x,3\n"),
            (1, 2, "text after the closing quote of a field")
        );
        assert_eq!(
            error("1,2\n3,4\"5\n"),
            (
                2,
                2,
                "a quote inside an unquoted field (quote the whole field)"
            )
        );
    }
}
