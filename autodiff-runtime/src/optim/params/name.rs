//! What a walk over a model hands out: [`ParamSlice`]s named by a borrowed [`Name`] chain,
//! and the owned [`Coordinate`] of one scalar for messages.

use std::fmt::{self, Write};

/// The name of a parameter slice: `w1`, `layer1.w`, `layers[2].b`, `0` (a tuple struct's
/// field), the path a Rust programmer writes to reach the field from the model.
///
/// A name is a chain of segments, each borrowing its parent from the stack frame of the walk
/// that visits the enclosing model, so walking a model allocates nothing. It prints as the
/// path (`Display`), and compares with a string without allocating:
///
/// ```
/// use autodiff_runtime::optim::Name;
///
/// let layers = Name::field(None, "layers");
/// let second = Name::index(Some(&layers), 2);
/// let bias = Name::field(Some(&second), "b");
/// assert_eq!(bias.to_string(), "layers[2].b");
/// assert!(bias == *"layers[2].b" && bias != *"layers[2]");
/// assert_eq!(bias.last_field(), "b");
/// assert_eq!(second.last_field(), "layers");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name<'a> {
    parent: Option<&'a Name<'a>>,
    segment: Segment<'a>,
}

/// One step of a [`Name`]: a field, or an element of a sequence of sub-models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment<'a> {
    Field(&'a str),
    Index(usize),
}

impl<'a> Name<'a> {
    /// Field `field` of the model named `parent` (`None`: of the model being walked).
    pub const fn field(parent: Option<&'a Name<'a>>, field: &'a str) -> Self {
        Name {
            parent,
            segment: Segment::Field(field),
        }
    }

    /// Element `index` of the sequence named `parent`.
    pub const fn index(parent: Option<&'a Name<'a>>, index: usize) -> Self {
        Name {
            parent,
            segment: Segment::Index(index),
        }
    }

    /// The name this one extends: `layers[2]` for `layers[2].b`, `None` for a top-level field.
    pub fn parent(&self) -> Option<&'a Name<'a>> {
        self.parent
    }

    /// The last field on the path: `b` for `layers[2].b`, `layers` for `layers[2]`; what an
    /// initialisation scheme chosen by field name matches on. Empty for a bare index.
    pub fn last_field(&self) -> &'a str {
        match self.segment {
            Segment::Field(field) => field,
            Segment::Index(_) => self.parent.map_or("", |parent| parent.last_field()),
        }
    }
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            fmt::Display::fmt(parent, out)?;
        }
        match self.segment {
            Segment::Field(field) if self.parent.is_some() => write!(out, ".{field}"),
            Segment::Field(field) => out.write_str(field),
            Segment::Index(index) => write!(out, "[{index}]"),
        }
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "Name(\"{self}\")")
    }
}

/// `name == *"layer1.w"` compares the printed path with the string, without allocating.
impl PartialEq<str> for Name<'_> {
    fn eq(&self, other: &str) -> bool {
        let mut rest = other;
        write!(Prefix(&mut rest), "{self}").is_ok() && rest.is_empty()
    }
}

/// `name == "layer1.w"` for a `name: &Name` (what walks and closures hand out).
impl PartialEq<&str> for Name<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// A writer that consumes its string as long as what is written is a prefix of it.
struct Prefix<'r, 's>(&'r mut &'s str);

impl Write for Prefix<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let rest = self.0.strip_prefix(s).ok_or(fmt::Error)?;
        *self.0 = rest;
        Ok(())
    }
}

/// One parameter slice as a walk over a model hands it out: its name, its shape and its
/// values, `&[T]` (or `&mut [T]` in a mutable walk), in row-major order.
///
/// The shape is the field's: `[16, 30]` for `[[f64; 30]; 16]`, `[n]` for a `Vec` of `n`
/// floats, `[n, 3]` for a `Vec<[f64; 3]>`, `[]` for a scalar; its product is the number of
/// values.
#[derive(Clone, Copy, Debug)]
pub struct ParamSlice<'a, V> {
    /// The slice's name in the model.
    pub name: &'a Name<'a>,
    /// The slice's dimensions, outermost first.
    pub shape: &'a [usize],
    /// The values, row-major.
    pub values: V,
}

impl<V> ParamSlice<'_, V> {
    /// The coordinate of the value at `flat` (its index in `values`), for a message:
    /// `w1[3][7]` is value `3 * 30 + 7` of a `[[f64; 30]; 16]`.
    pub fn coordinate(&self, flat: usize) -> Coordinate {
        Coordinate::new(self.name, self.shape, flat)
    }
}

/// Where one scalar parameter sits: the name of its slice and its index in each dimension of
/// the slice's shape. Displays as `layer1.w[3][7]`, or `b2` for a scalar field.
///
/// ```
/// use autodiff_runtime::optim::{Coordinate, Name};
///
/// let w1 = Name::field(None, "w1");
/// let at = Coordinate::new(w1, &[16, 30], 3 * 30 + 7);
/// assert_eq!(at.index, [3, 7]);
/// assert_eq!(at.to_string(), "w1[3][7]");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Coordinate {
    /// The slice's name, as [`Name`] prints it.
    pub name: String,
    /// The index in each dimension, outermost first; empty for a scalar.
    pub index: Vec<usize>,
}

impl Coordinate {
    /// The coordinate of value `flat` of a slice named `name` of shape `shape` (row-major:
    /// the last index varies fastest).
    pub fn new(name: impl fmt::Display, shape: &[usize], flat: usize) -> Self {
        let mut index = vec![0; shape.len()];
        let mut rest = flat;
        // the innermost dimensions take their remainders; the outermost keeps the quotient
        for (i, &dim) in shape.iter().enumerate().skip(1).rev() {
            index[i] = rest % dim.max(1);
            rest /= dim.max(1);
        }
        if let Some(outer) = index.first_mut() {
            *outer = rest;
        }
        Coordinate {
            name: name.to_string(),
            index,
        }
    }
}

impl fmt::Display for Coordinate {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(&self.name)?;
        self.index.iter().try_for_each(|i| write!(out, "[{i}]"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_print_as_rust_paths() {
        let encoder = Name::field(None, "encoder");
        let blocks = Name::field(Some(&encoder), "blocks");
        let first = Name::index(Some(&blocks), 0);
        let tuple_field = Name::field(Some(&first), "1");
        assert_eq!(tuple_field.to_string(), "encoder.blocks[0].1");
        assert_eq!(format!("{tuple_field:?}"), "Name(\"encoder.blocks[0].1\")");
        assert_eq!(tuple_field.parent(), Some(&first));
        assert_eq!(Name::index(None, 3).to_string(), "[3]");
        assert_eq!(Name::index(None, 3).last_field(), "");
    }

    #[test]
    fn names_compare_with_strings() {
        let layer = Name::field(None, "layer1");
        let w = Name::field(Some(&layer), "w");
        assert!(w == *"layer1.w");
        assert!(&w == "layer1.w");
        for other in ["layer1.", "layer1.ww", "layer1", "", "w", "layer1.w[0]"] {
            assert!(w != *other, "{other}");
        }
        let indexed = Name::index(Some(&layer), 12);
        assert!(indexed == *"layer1[12]" && indexed != *"layer1[1]");
    }

    #[test]
    fn coordinates_unravel_row_major() {
        let w = Name::field(None, "w");
        let at = |shape: &[usize], flat| Coordinate::new(w, shape, flat).to_string();
        assert_eq!(at(&[], 0), "w");
        assert_eq!(at(&[5], 4), "w[4]");
        assert_eq!(at(&[2, 3], 4), "w[1][1]");
        assert_eq!(at(&[2, 3, 4], 23), "w[1][2][3]");
        // past the end, the outermost index says by how much
        assert_eq!(at(&[2, 3], 6), "w[2][0]");
    }
}
