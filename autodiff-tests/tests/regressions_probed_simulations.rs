//! Forms that probes of public code found failing. Traffic flow (a detector's `count()`, a
//! link's `capacity()`): a struct's own method named as a slice's or an iterator's was read
//! as the container method of that name, a count with no derivative (a wrong gradient of
//! zero, or, for `first`, `sum`, `is_empty`, an error about arrays); now a struct's method
//! named as one that gives no float (`count`, `len`, `position`, `is_empty`) is checked to
//! give none (UI calls/struct-method-named-count), and one named as another (`first`,
//! `sum`, `iter`) is its own, differentiated. Kalman filters with missing observations:
//! `if let Some(y) = ys[t]` of `ys: &[Option<f64>]`, `y` passed to a `#[grad]` helper,
//! went without its `Const` shadow (generated code that did not compile): the element's
//! written type now types what the pattern binds.

use autodiff::{grad, Params};

mod common;
use common::close;

#[derive(Clone, Debug, Params)]
struct Detector {
    rate: f64,
    gain: f64,
}

#[grad(self)]
impl Detector {
    fn count(&self) -> f64 {
        self.rate * 60.0
    }

    fn first(&self) -> f64 {
        self.rate * self.gain
    }

    fn sum(&self) -> f64 {
        self.rate + self.gain
    }

    fn iter(&self) -> f64 {
        self.gain * self.gain
    }

    /// Its own methods of those names, by path where one is named as a counting method.
    fn total(&self) -> f64 {
        let mut total = 0.0;
        for _ in 0..self.len() {
            total += Self::count(self) + self.first() + self.sum() + self.iter();
        }
        total
    }

    /// A method that does count, read as data beside them.
    fn len(&self) -> usize {
        2
    }
}

#[grad(d)]
fn fit(d: &Detector, observed: f64) -> f64 {
    let mut total = 0.0;
    for _ in 0..2 {
        total += (Detector::count(d) - observed).powi(2) + Detector::first(d) + d.sum();
    }
    total + d.total() + Detector::iter(d)
}

#[derive(Clone, Params)]
struct Pair {
    a: f64,
    b: f64,
}

#[grad(self)]
impl Pair {
    fn first(&self) -> f64 {
        self.a * self.b
    }
}

/// A local struct's own `first`.
#[grad]
fn local_first(x: f64) -> f64 {
    let p = Pair { a: x, b: 2.0 };
    p.first() * x
}

#[test]
fn a_struct_s_methods_named_as_slice_methods_are_its_own() {
    let d = Detector {
        rate: 2.0,
        gain: 0.5,
    };
    let (value, g) = fit_grad(&d, 100.0);
    assert!(close(value, fit(&d, 100.0)));
    // 2 (60 r - y)^2 + 2 (r g + r + g) + 2 (60 r + r g + r + g + g^2) + g^2
    let (r, gain, y) = (2.0, 0.5, 100.0);
    let d_rate = 2.0 * 2.0 * 60.0 * (60.0 * r - y) + 2.0 * (gain + 1.0) + 2.0 * (60.0 + gain + 1.0);
    let d_gain = 2.0 * (r + 1.0) + 2.0 * (r + 1.0 + 2.0 * gain) + 2.0 * gain;
    assert!(close(g.rate, d_rate), "{} vs {d_rate}", g.rate);
    assert!(close(g.gain, d_gain), "{} vs {d_gain}", g.gain);

    // d/dx (2 x) x = 4 x
    assert_eq!(local_first_grad(3.0), (18.0, 12.0));
}

#[grad]
fn update(m: f64, y: f64) -> f64 {
    (y - m) * (y - m)
}

/// The innovations of the observations present (by index: the form tested).
#[allow(clippy::needless_range_loop)]
#[grad(m)]
fn innovations(m: f64, ys: &[Option<f64>]) -> f64 {
    let mut total = 0.0;
    for t in 0..ys.len() {
        if let Some(y) = ys[t] {
            total += update(m, y);
        }
    }
    total
}

#[test]
fn a_missing_observation_s_value_is_a_float_handed_on() {
    let ys = [Some(1.0), None, Some(4.0)];
    let (value, d_m) = innovations_grad(2.0, &ys);
    assert_eq!(value, 1.0 + 4.0);
    // d/dm (1 - m)^2 + (4 - m)^2 = -2 (1 - m) - 2 (4 - m)
    assert_eq!(d_m, 2.0 - 4.0);
}
