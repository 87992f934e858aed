//! Forms a probe found rejected though they mean what supported code means: a chain that
//! collects into a `Vec` and goes on from it (`ys.iter().copied().collect::<Vec<f64>>()
//! .windows(2)..`), and a mutable reference to an element written through `*r` (`if let
//! Some(r) = v.last_mut() { *r *= 2.0; }`, `let Some(r) = v.get_mut(i) else { .. };`), and a
//! `match` of data against variants of an enum that does not implement `PartialEq`
//! (`match types[i] { Atom::O => -0.8, .. }`, compared with `==` inside the generated code),
//! and a `for_each` written `.map(|(i, v)| out[i] = v * v).count();` (argmin's test
//! functions; the closure's writes went to a copy, E0596 inside the generated code), and a
//! model's skipped field of indices iterated (`for &j in s.nbrs.iter() { s.pos[j] }`, taken
//! for floats: "cannot index with a float"), and a `#[grad]` method of a data struct called on
//! the items of a slice of them (`for s in springs { s.energy(x) }`, `bonds[k].energy(x)`,
//! taken for float data: "cannot differentiate the method"); and two names taken for floats
//! in puruspe's special functions: `f64::MAX_EXP`, an `i32`, and `IncGamma::P`, a variant
//! passed to a call (given a shadow: E0277 and E0061 inside the generated code); and forms
//! of statrs: a method returning `Option<f64>` whose tail is a sub-model's (`self.g.mean()`,
//! wrapped in `Some` again: E0308), a skipped `u64` field compared with an integer parameter
//! (`x > self.n`, typed a float: E0308), `(0..n + 1).fold(..)` over a `u64` range (its
//! items counted in `usize`: E0308), a comparison macro in a condition (`ulps_eq!(a, 0.0)`,
//! rejected as differentiated), and `checked(a, b).map(|l| l.exp())` on a fallible callee's
//! result (rejected as the map of an array); and forms of geographiclib, geo and puruspe:
//! the integer part of a helper's tuple (`let (_, q) = remquo(x, 90.0);`, checked whole as
//! an integer: E0277; `frexp(y).1 > 3`, rejected), a `match` of tuples with an arm
//! `_ => unreachable!()`, `x.is_zero()`, and `a == b` of two models; and forms of noise-rs:
//! a local integer array passed by value to a function of data (`hash(corner)`, lent as
//! `&corner`: E0308), and a data method's integer result cast (`perm.get(c) as f64`, the
//! cast dropped: E0277; or rejected as a method without a derivative); and forms of
//! smartcore and of quant code: `num_traits::NumCast::from(x).unwrap()` (E0782 inside the
//! generated code), `(r * r).to_f64().unwrap()` and `f64::to_f64(&x[i]).unwrap()` in an `f64`
//! function (rejected), a function named `BS_Call` (taken for a constructor), and a
//! distribution made by `Gaussian::new(0.0, 1.0)` or `Gaussian::default()` whose `#[grad]`
//! methods are called (taken for what a call returned from differentiated values).
//! Each is checked against a hand-derived gradient and central differences.

mod common;

use autodiff::{grad, Params};
use common::{all_close, assert_matches_fd, close};
use num_traits::{ToPrimitive, Zero};

const YS: [f64; 4] = [1.0, 2.0, 4.0, 3.0];

// ---- a chain that collects into a `Vec` and goes on ----

/// The probe's function: the differences of neighbours, collected, then summed.
#[allow(clippy::iter_cloned_collect)] // the probe's form, as written
#[grad(ys)]
fn slopes(xs: &[f64], ys: &[f64]) -> f64 {
    #[rustfmt::skip]
    let d: Vec<f64> = ys.iter().copied().collect::<Vec<f64>>().windows(2).map(|w| w[1] - w[0]).collect();
    d.iter().sum::<f64>() + xs[0]
}

#[test]
fn differences_of_a_collected_vec() {
    let (value, d_ys) = slopes_grad(&[0.5], &YS);
    // the sum telescopes to ys[3] - ys[0]
    assert!(close(value, 0.5 + 3.0 - 1.0));
    assert!(all_close(&d_ys, &[-1.0, 0.0, 0.0, 1.0]));
    assert_matches_fd(&|y| slopes(&[0.5], y), &YS, &d_ys, "slopes");
}

/// `Vec<_>`, the chain the function's value: the products of neighbouring squares.
#[grad(ys)]
fn neighbour_products(ys: &[f64]) -> f64 {
    ys.iter()
        .map(|y| y * y)
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| w[1] * w[0])
        .sum()
}

fn neighbour_products_gradient(y: &[f64]) -> Vec<f64> {
    // d/dy_i of sum_k y_k^2 y_{k+1}^2: 2 y_i (y_{i-1}^2 + y_{i+1}^2)
    (0..y.len())
        .map(|i| {
            let before = if i > 0 { y[i - 1] * y[i - 1] } else { 0.0 };
            let after = y.get(i + 1).map_or(0.0, |a| a * a);
            2.0 * y[i] * (before + after)
        })
        .collect()
}

#[test]
fn products_of_a_collected_vec() {
    let (value, d_ys) = neighbour_products_grad(&YS);
    assert!(close(value, 4.0 + 64.0 + 144.0));
    assert!(all_close(&d_ys, &neighbour_products_gradient(&YS)));
    assert_matches_fd(&neighbour_products, &YS, &d_ys, "neighbour_products");
}

/// Inside an expression, in a closure, twice in one chain, as a `for` loop's iterator and
/// after `+=`: each the `let` of the collected `Vec` before what goes on from it.
#[grad(ys)]
fn collected_everywhere(ys: &[f64]) -> f64 {
    #[rustfmt::skip]
    let inside = ys[0] + 2.0 * ys.iter().map(|y| y * y).collect::<Vec<f64>>().windows(2).map(|w| w[1] * w[0]).sum::<f64>();
    let scaled = |k: f64| {
        ys.iter()
            .map(|y| y * k)
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[1] * w[0])
            .sum::<f64>()
    };
    #[rustfmt::skip]
    let twice: f64 = ys.iter().map(|y| y * y).collect::<Vec<_>>().windows(2).map(|w| w[1] * w[0]).collect::<Vec<f64>>().iter().map(|v| v.sin()).sum();
    let mut looped = 0.0;
    for w in ys.iter().map(|y| y * y).collect::<Vec<_>>().windows(2) {
        looped += w[0] * w[1];
    }
    looped += ys
        .iter()
        .map(|y| y.exp())
        .collect::<Vec<_>>()
        .iter()
        .sum::<f64>();
    inside + scaled(0.5) + twice + looped
}

fn collected_everywhere_by_hand(y: &[f64]) -> (f64, Vec<f64>) {
    let products = neighbour_products(y);
    let d_products = neighbour_products_gradient(y);
    let mut value = y[0] + 3.0 * products;
    let mut grad: Vec<f64> = d_products.iter().map(|d| 3.0 * d).collect();
    grad[0] += 1.0;
    for k in 0..y.len() - 1 {
        let (a, b) = (y[k], y[k + 1]);
        // scaled(0.5): (a / 2) (b / 2)
        value += 0.25 * a * b;
        grad[k] += 0.25 * b;
        grad[k + 1] += 0.25 * a;
        let p = a * a * b * b;
        value += p.sin();
        grad[k] += p.cos() * 2.0 * a * b * b;
        grad[k + 1] += p.cos() * 2.0 * b * a * a;
    }
    for (g, v) in grad.iter_mut().zip(y) {
        value += v.exp();
        *g += v.exp();
    }
    (value, grad)
}

#[test]
fn collected_vecs_in_every_place() {
    let (value, d_ys) = collected_everywhere_grad(&YS);
    let (expected, gradient) = collected_everywhere_by_hand(&YS);
    assert!(close(value, expected), "{value} vs {expected}");
    assert!(close(collected_everywhere(&YS), expected));
    assert!(all_close(&d_ys, &gradient), "{d_ys:?} vs {gradient:?}");
    assert_matches_fd(&collected_everywhere, &YS, &d_ys, "collected_everywhere");
}

// ---- a mutable reference to an element, written through ----

/// `last_mut`, `first_mut` with an `else`, `get_mut(i)` read as `*r`.
#[grad(y)]
fn written_through(y: &[f64]) -> f64 {
    let mut v = y.to_vec();
    if let Some(last) = v.last_mut() {
        *last *= 2.0;
    }
    if let Some(first) = v.first_mut() {
        *first = *first * *first;
    } else {
        return 0.0;
    }
    if let Some(r) = v.get_mut(1) {
        *r += y[0];
    }
    // past the end: nothing written
    if let Some(r) = v.get_mut(9) {
        *r = 0.0;
    }
    v.iter().sum()
}

#[test]
fn elements_written_through_references() {
    let (value, d_y) = written_through_grad(&YS);
    // [1, 2 + 1, 4, 6]
    assert!(close(value, 1.0 + 3.0 + 4.0 + 6.0));
    assert!(all_close(&d_y, &[2.0 * YS[0] + 1.0, 1.0, 1.0, 2.0]));
    assert_matches_fd(&written_through, &YS, &d_y, "written_through");
    assert_eq!(written_through_grad(&[]), (0.0, vec![]));
}

/// `let .. else`, the reference a method's receiver (`r.sin()`), an index given at run time.
#[grad(y)]
fn sine_at(y: &[f64], k: usize) -> f64 {
    let mut v = y.to_vec();
    let Some(r) = v.get_mut(k) else {
        return -1.0;
    };
    *r = r.sin();
    v.iter().map(|a| a * a).sum()
}

#[test]
fn element_chosen_at_run_time() {
    for k in 0..YS.len() {
        let (value, d_y) = sine_at_grad(&YS, k);
        let mut expected: f64 = YS.iter().map(|a| a * a).sum();
        expected += YS[k].sin().powi(2) - YS[k] * YS[k];
        assert!(close(value, expected));
        let mut gradient: Vec<f64> = YS.iter().map(|a| 2.0 * a).collect();
        gradient[k] = (2.0 * YS[k]).sin(); // d/dy sin²y
        assert!(all_close(&d_y, &gradient), "k = {k}: {d_y:?}");
        assert_matches_fd(&|y| sine_at(y, k), &YS, &d_y, "sine_at");
    }
    assert_eq!(sine_at_grad(&YS, 4), (-1.0, vec![0.0; 4]));
}

/// A local array copied from a parameter, its last element through `let .. else`, the
/// statements after it reading `*r` too.
#[grad(x)]
fn last_squared(x: &[f64; 3]) -> f64 {
    let mut a = *x;
    let Some(r) = a.last_mut() else {
        unreachable!("an array of three")
    };
    *r = *r * *r;
    let last = *r;
    a[0] * last + a.iter().sum::<f64>()
}

#[test]
fn last_of_a_local_array() {
    let x = [2.0, 3.0, 5.0];
    let (value, d_x) = last_squared_grad(&x);
    assert!(close(value, 2.0 * 25.0 + 2.0 + 3.0 + 25.0));
    // x0 x2² + x0 + x1 + x2²
    let gradient = [25.0 + 1.0, 1.0, 2.0 * 2.0 * 5.0 + 2.0 * 5.0];
    assert!(all_close(&d_x, &gradient), "{d_x:?}");
    assert_matches_fd(
        &|x| last_squared(&[x[0], x[1], x[2]]),
        &x,
        &d_x,
        "last_squared",
    );
}

// ---- a slice made into an array with `?` ----

/// The probe's function: `?` after `.map_err(..)`, the error a `String`.
#[grad(th)]
fn product_of_two(th: &[f64]) -> Result<f64, String> {
    let [a, b]: [f64; 2] = th.try_into().map_err(|_| "need 2 parameters".to_string())?;
    Ok(a * b)
}

#[derive(Debug, PartialEq)]
struct Shape(String);

impl From<std::array::TryFromSliceError> for Shape {
    fn from(e: std::array::TryFromSliceError) -> Self {
        Shape(e.to_string())
    }
}

/// `?` on the conversion itself, its error turned by `From`; of a part of the slice.
#[grad(th)]
fn scaled_tail(th: &[f64]) -> Result<f64, Shape> {
    let [a, b, c]: [f64; 3] = th[1..].try_into()?;
    Ok(th[0] * (a + b.sin() * c))
}

/// `.ok()?` in a function that returns an `Option`.
#[grad(th)]
fn ratio(th: &[f64]) -> Option<f64> {
    let [a, b]: [f64; 2] = th.try_into().ok()?;
    Some(a / b)
}

#[test]
fn slice_made_into_an_array_with_question_mark() {
    let (value, d_th) = product_of_two_grad(&[3.0, 5.0]).unwrap();
    assert!(close(value, 15.0));
    assert!(all_close(&d_th, &[5.0, 3.0]));
    assert_eq!(
        product_of_two_grad(&[1.0, 2.0, 3.0]),
        Err("need 2 parameters".to_string())
    );

    let th = [2.0, 0.5, 1.5, 3.0];
    let (value, d_th) = scaled_tail_grad(&th).unwrap();
    let (a, b, c) = (th[1], th[2], th[3]);
    assert!(close(value, 2.0 * (a + b.sin() * c)));
    let gradient = [a + b.sin() * c, 2.0, 2.0 * b.cos() * c, 2.0 * b.sin()];
    assert!(all_close(&d_th, &gradient), "{d_th:?}");
    assert_matches_fd(&|t| scaled_tail(t).unwrap(), &th, &d_th, "scaled_tail");
    let short = scaled_tail_grad(&th[..3]).unwrap_err();
    assert_eq!(
        short,
        Shape::from(<[f64; 3]>::try_from(&th[..2]).unwrap_err())
    );

    let (value, d_th) = ratio_grad(&[3.0, 4.0]).unwrap();
    assert!(close(value, 0.75));
    assert!(all_close(&d_th, &[0.25, -3.0 / 16.0]));
    assert_eq!(ratio_grad(&[3.0]), None);
}

// ---- data made inside a loop and read there more than once ----

/// Rows of a stratum gathered per stratum (stratified Cox style): a `Vec<usize>` of data made
/// in the loop body and iterated there. The body is lowered again once it learns that the
/// total depends on a parameter; the vector kept its name only in the first lowering, and the
/// code passed through moved it at its first use (E0382 inside the generated code, probe).
#[grad(x)]
fn strata_squares(x: &[f64], strata: &[usize]) -> f64 {
    let mut total = 0.0;
    for g in 0..2 {
        let idx: Vec<usize> = (0..x.len()).filter(|&i| strata[i] == g).collect();
        let weight = idx.len() as f64;
        for &i in &idx {
            total += x[i] * x[i] * weight;
        }
    }
    total
}

/// The probe's reproducer: the indices made from the loop's counter.
#[grad]
fn overlapping_pairs(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for g in 0..2 {
        let idx: Vec<usize> = vec![g, g + 1];
        for &i in &idx {
            total += x[i] * x[i];
        }
    }
    total
}

#[test]
fn data_vectors_made_in_a_loop_are_read_in_place() {
    let x = [0.5, -1.0, 2.0, 1.5];
    let strata = [0, 1, 0, 0];
    let (value, g) = strata_squares_grad(&x, &strata);
    // stratum 0 has three rows (weight 3), stratum 1 one (weight 1)
    assert!(close(value, 3.0 * (0.25 + 4.0 + 2.25) + 1.0));
    assert!(all_close(&g, &[3.0, -2.0, 12.0, 9.0]));
    assert_matches_fd(&|x| strata_squares(x, &strata), &x, &g, "strata");
    let (value, g) = overlapping_pairs_grad(&x[..3]);
    assert!(close(value, 0.25 + 2.0 + 4.0));
    assert!(all_close(&g, &[1.0, -4.0, 4.0]));
    assert_matches_fd(&|x| overlapping_pairs(x), &x[..3], &g, "pairs");
}

// ---- integers the generated code once typed wrongly ----

#[derive(Clone, Debug, autodiff::Params)]
struct Image {
    data: Vec<f64>,
    #[params(skip)]
    width: usize,
}

/// A loop bound made from a model's skipped integer field (`0..im.width - 1`) was read as a
/// float field (`f64 - {integer}` inside the generated code, probe): a bound is an integer,
/// as an index is.
#[grad(im)]
fn row_differences(im: &Image) -> f64 {
    let mut s = 0.0;
    for y in 0..im.data.len() / im.width {
        for x in 0..im.width - 1 {
            let d = im.data[y * im.width + x + 1] - im.data[y * im.width + x];
            s += d * d;
        }
    }
    s
}

/// The counter of `iter_mut().enumerate()` over a local array, read by a method of an
/// integer (`x.saturating_sub(1)`), was an untyped `{integer}` in the generated loop over
/// `0..3` (E0689, probe): a known length is a `usize`, as `.len()` is.
#[grad]
fn left_neighbours(a: &[f64; 3]) -> f64 {
    let mut out = [0.0; 3];
    for (x, o) in out.iter_mut().enumerate() {
        let l = a[x.saturating_sub(1)];
        *o = l * a[x];
    }
    out.iter().sum()
}

#[test]
fn integers_stay_integers() {
    let im = Image {
        data: vec![1.0, 2.0, 4.0, 0.5, -1.0, 3.0],
        width: 3,
    };
    let (value, d) = row_differences_grad(&im);
    // rows [1, 2, 4] and [0.5, -1, 3]: differences 1, 2, -1.5, 4
    assert!(close(value, 1.0 + 4.0 + 2.25 + 16.0));
    assert!(all_close(&d.data, &[-2.0, -2.0, 4.0, 3.0, -11.0, 8.0]));
    let f = |p: &[f64]| {
        row_differences(&Image {
            data: p.to_vec(),
            width: 3,
        })
    };
    assert_matches_fd(&f, &im.data, &d.data, "row differences");
    let a = [0.5, -2.0, 3.0];
    let (value, g) = left_neighbours_grad(&a);
    assert!(close(value, 0.25 + 0.5 * -2.0 + -2.0 * 3.0));
    assert!(all_close(&g, &[2.0 * 0.5 - 2.0, 0.5 + 3.0, -2.0]));
    assert_matches_fd(
        &|a| left_neighbours(a.try_into().unwrap()),
        &a,
        &g,
        "left neighbours",
    );
}

// ---- a `match` of data against variants, without `PartialEq` ----

/// An atom type, `Copy` but not `PartialEq` (molecular mechanics).
#[derive(Clone, Copy)]
enum Atom {
    O,
    H,
    N,
}

/// Not even `Copy`: matched in place, never copied out of the slice.
enum Bond {
    Single,
    Double(f64),
}

#[grad(x)]
fn charges(x: &[f64], types: &[Atom]) -> f64 {
    let mut e = 0.0;
    for i in 0..x.len() {
        let q = match types[i] {
            Atom::O => -0.8,
            Atom::H | Atom::N => 0.4,
        };
        e += q * x[i] * x[i];
    }
    e
}

#[grad(x)]
fn bond_energy(x: &[f64], bonds: &[Bond], first: &Atom) -> f64 {
    let scale = match *first {
        Atom::O => 2.0,
        _ => 1.0,
    };
    let mut e = 0.0;
    for (k, b) in bonds.iter().enumerate() {
        let stiffness = match bonds[k] {
            Bond::Single => 1.0,
            _ => 3.0,
        };
        let extra = match b {
            Bond::Double(s) => *s,
            Bond::Single => 0.0,
        };
        e += (stiffness + extra) * (x[k] - 1.0).powi(2);
    }
    scale * e
}

#[test]
fn variants_of_data_are_matched_in_place() {
    let types = [Atom::O, Atom::H, Atom::N];
    let x = [0.5, -1.0, 2.0];
    let (value, g) = charges_grad(&x, &types);
    assert!(close(value, -0.8 * 0.25 + 0.4 + 0.4 * 4.0));
    assert!(all_close(&g, &[-0.8 * 1.0, 0.4 * -2.0, 0.4 * 4.0]));
    assert_matches_fd(&|x| charges(x, &types), &x, &g, "charges");
    let bonds = [Bond::Single, Bond::Double(0.5)];
    let y = [1.5, 0.25];
    let (value, g) = bond_energy_grad(&y, &bonds, &Atom::O);
    assert!(close(value, 2.0 * (0.25 + 3.5 * 0.5625)));
    assert!(all_close(&g, &[2.0 * 2.0 * 0.5, 2.0 * 3.5 * 2.0 * -0.75]));
    assert_matches_fd(
        &|y| bond_energy(y, &bonds, &Atom::H),
        &y,
        &bond_energy_grad(&y, &bonds, &Atom::H).1,
        "bonds",
    );
}

// ---- a `for_each` written as `.map(..).count()` ----

/// argmin's `sphere_derivative_const`, as it is written there.
#[grad(modes(jacobian))]
fn sphere_derivative_const(param: &[f64; 3]) -> [f64; 3] {
    let mut deriv = [0.0; 3];
    param
        .iter()
        .zip(deriv.iter_mut())
        .map(|(x, d)| *d = 2.0 * x * x.sin())
        .count();
    deriv
}

#[grad]
fn counted_writes(x: &[f64; 2]) -> f64 {
    let mut out = [0.0; 2];
    let mut s = 0.0;
    x.iter().enumerate().map(|(i, v)| out[i] = v * v).count();
    x.iter().map(|v| s += v.exp()).count();
    x.iter()
        .map(|v| {
            s += 0.5 * v;
        })
        .count();
    out[0] + 3.0 * out[1] + s
}

#[test]
fn writes_driven_by_a_count_are_made() {
    let x = [1.0, 2.0];
    let (value, g) = counted_writes_grad(&x);
    assert!(close(value, 1.0 + 12.0 + 1f64.exp() + 2f64.exp() + 1.5));
    assert!(all_close(
        &g,
        &[2.0 + 1f64.exp() + 0.5, 12.0 + 2f64.exp() + 0.5]
    ));
    let p = [0.5, -1.0, 2.0];
    let (value, jacobian) = sphere_derivative_const_jacobian(&p);
    assert_eq!(value, sphere_derivative_const(&p));
    for (i, row) in jacobian.iter().enumerate() {
        for (j, &d) in row.iter().enumerate() {
            let x = p[i];
            let expected = if i == j {
                2.0 * x.sin() + 2.0 * x * x.cos()
            } else {
                0.0
            };
            assert!(close(d, expected), "({i}, {j}): {d} vs {expected}");
        }
    }
}

// ---- a model's skipped field of indices, iterated ----

/// Positions and a neighbour list kept in the model (molecular mechanics).
#[derive(Clone, Debug, Params)]
struct System {
    pos: Vec<f64>,
    #[params(skip)]
    nbrs: Vec<usize>,
}

#[grad(s)]
fn neighbour_energy(s: &System) -> f64 {
    let mut e = 0.0;
    for &j in s.nbrs.iter() {
        e += s.pos[j] * s.pos[j];
    }
    for j in s.nbrs.iter().copied() {
        e += 0.5 * s.pos[j];
    }
    e
}

impl System {
    #[grad(self)]
    fn pair_energy(&self) -> f64 {
        let mut e = 0.0;
        for &j in &self.nbrs {
            e += (self.pos[j] - self.pos[0]).powi(2);
        }
        e
    }
}

#[test]
fn a_skipped_field_of_indices_is_iterated_as_data() {
    let s = System {
        pos: vec![1.0, 2.0, 3.0],
        nbrs: vec![0, 2, 2],
    };
    let (value, d) = neighbour_energy_grad(&s);
    assert!(close(value, 1.0 + 9.0 + 9.0 + 0.5 * 7.0));
    assert!(all_close(&d.pos, &[2.0 + 0.5, 0.0, 12.0 + 1.0]));
    assert_eq!(d.nbrs, s.nbrs);
    let (value, d) = s.pair_energy_grad();
    assert!(close(value, 8.0));
    assert!(all_close(&d.pos, &[-8.0, 0.0, 8.0]));
}

// ---- a `#[grad]` method called on the items of a slice of data structs ----

/// A spring of data between two coordinates of `x`.
struct Spring {
    k: f64,
    ends: (usize, usize),
}

impl Spring {
    #[grad(x)]
    fn energy(&self, x: &[f64]) -> f64 {
        let d = x[self.ends.1] - x[self.ends.0] - 1.0;
        0.5 * self.k * d * d
    }

    #[grad(t)]
    fn scaled(&self, t: f64) -> f64 {
        self.k * t * t
    }
}

#[grad(x)]
fn springs_loop(x: &[f64], springs: &[Spring]) -> f64 {
    let mut e = 0.0;
    for s in springs {
        e += s.energy(x);
    }
    for s in springs.iter() {
        e += s.scaled(x[0]);
    }
    e
}

// A `&Vec` and an index loop are how such code is often written.
#[allow(clippy::ptr_arg, clippy::needless_range_loop)]
#[grad(x)]
fn springs_indexed(x: &[f64], springs: &Vec<Spring>) -> f64 {
    let mut e = 0.0;
    for k in 0..springs.len() {
        e += springs[k].energy(x) + springs[k].scaled(x[1]);
    }
    e
}

#[test]
fn grad_methods_of_data_items_are_called() {
    let springs = vec![
        Spring {
            k: 2.0,
            ends: (0, 1),
        },
        Spring {
            k: 0.5,
            ends: (1, 2),
        },
    ];
    let x = [0.0, 1.5, 3.0];
    // d = 0.5 for both springs.
    let (value, g) = springs_loop_grad(&x, &springs);
    assert!(close(value, 0.25 + 0.0625));
    assert!(all_close(&g, &[-1.0, 1.0 - 0.25, 0.25]));
    let (value, g) = springs_indexed_grad(&x, &springs);
    assert!(close(value, 0.25 + 0.0625 + 2.5 * 2.25));
    assert!(all_close(&g, &[-1.0, 1.0 - 0.25 + 2.5 * 3.0, 0.25]));
    assert_matches_fd(&|x| springs_indexed(x, &springs), &x, &g, "springs");
}

// ---- an integer constant of `f64`, and a one-letter variant ----

#[grad]
fn rescaled_power(x: f64) -> f64 {
    let half: i32 = f64::MAX_EXP / 2;
    x.powi(f64::MAX_EXP / 512) * half as f64 + x * f64::MANTISSA_DIGITS as f64
}

#[derive(Clone, Copy)]
enum IncGamma {
    P,
    Q,
}

#[grad]
fn tail(a: f64, x: f64, which: IncGamma) -> f64 {
    let q = (-x).exp() * a;
    match which {
        IncGamma::P => 1.0 - q,
        IncGamma::Q => q,
    }
}

#[grad]
fn lower_tail(a: f64, x: f64) -> f64 {
    tail(a, x, IncGamma::P) + 0.5 * tail(a, x, IncGamma::Q)
}

#[test]
fn integer_constants_and_variants_are_data() {
    assert_eq!(
        rescaled_power_grad(2.0),
        (4.0 * 512.0 + 106.0, 4.0 * 512.0 + 53.0)
    );
    let e = (-1.0f64).exp();
    let (value, (da, dx)) = lower_tail_grad(2.0, 1.0);
    assert!(close(value, 1.0 - 2.0 * e + e));
    assert!(close(da, -e + 0.5 * e));
    assert!(close(dx, 2.0 * e - 0.5 * 2.0 * e));
}

// ---- forms of statrs ----

#[derive(Clone, Debug, Params)]
struct Gamma {
    shape: f64,
    rate: f64,
}

impl Gamma {
    #[grad(self)]
    fn mean(&self) -> Option<f64> {
        Some(self.shape / self.rate)
    }
}

#[derive(Clone, Debug, Params)]
struct ChiSquared {
    g: Gamma,
}

impl ChiSquared {
    #[grad(self)]
    fn mean(&self) -> Option<f64> {
        self.g.mean()
    }
}

#[derive(Clone, Debug, Params)]
struct Binomial {
    p: f64,
    #[params(skip)]
    n: u64,
}

impl Binomial {
    #[grad(self)]
    fn ln_pmf(&self, x: u64) -> f64 {
        if x > self.n {
            f64::NEG_INFINITY
        } else {
            x as f64 * self.p.ln() + (self.n - x) as f64 * (1.0 - self.p).ln()
        }
    }
}

#[grad]
fn geometric_pmf(p: f64, x: u64) -> f64 {
    p.powi(x as i32) * (1.0 - p)
}

#[grad]
fn geometric_entropy(p: f64, n: u64) -> f64 {
    (0..n + 1).fold(0.0, |acc, x| {
        let q = geometric_pmf(p, x);
        acc - q * q.ln()
    })
}

/// A bool-valued comparison macro, as `approx::ulps_eq!` is.
macro_rules! near_eq {
    ($a:expr, $b:expr) => {
        ($a - $b).abs() < 1e-12
    };
}

#[grad]
fn guarded(a: f64, x: f64) -> f64 {
    if near_eq!(a, 0.0) {
        return 1.0;
    }
    let flat = x == 0.0 || near_eq!(x, 1.0);
    if flat {
        a
    } else {
        a * x.ln()
    }
}

#[grad]
fn checked_ln_ratio(a: f64, b: f64) -> Result<f64, String> {
    if a <= 0.0 {
        return Err(format!("a = {a}"));
    }
    Ok(a.ln() - (a + b).ln())
}

#[grad]
fn checked_ratio(a: f64, b: f64) -> Result<f64, String> {
    checked_ln_ratio(a, b).map(|l| l.exp())
}

#[grad]
fn checked_scaled(a: f64, b: f64) -> Result<f64, String> {
    checked_ln_ratio(a, b).and_then(|l| checked_ratio(a, b).map(|r| l * r))
}

#[test]
fn forms_of_statrs() {
    let c = ChiSquared {
        g: Gamma {
            shape: 2.0,
            rate: 0.5,
        },
    };
    let (value, d) = c.mean_grad().unwrap();
    assert_eq!((value, d.g.shape, d.g.rate), (4.0, 2.0, -8.0));
    let b = Binomial { p: 0.3, n: 10 };
    let (value, d) = b.ln_pmf_grad(3);
    assert!(close(value, 3.0 * 0.3f64.ln() + 7.0 * 0.7f64.ln()));
    assert!(close(d.p, 3.0 / 0.3 - 7.0 / 0.7));
    assert_eq!(b.ln_pmf_grad(11).0, f64::NEG_INFINITY);
    let (value, dp) = geometric_entropy_grad(0.3, 10);
    assert_eq!(value, geometric_entropy(0.3, 10));
    assert_matches_fd(&|p| geometric_entropy(p[0], 10), &[0.3], &[dp], "entropy");
    assert_eq!(guarded_grad(0.0, 0.5), (1.0, (0.0, 0.0)));
    assert_eq!(guarded_grad(2.0, 1.0), (2.0, (1.0, 0.0)));
    let (value, (da, dx)) = guarded_grad(2.0, 0.5);
    assert!(close(value, 2.0 * 0.5f64.ln()) && close(da, 0.5f64.ln()) && close(dx, 4.0));
    // r = a / (a + b): dr/da = b / (a + b)^2, dr/db = -a / (a + b)^2
    let (value, (da, db)) = checked_ratio_grad(2.0, 3.0).unwrap();
    assert!(close(value, 0.4) && close(da, 3.0 / 25.0) && close(db, -2.0 / 25.0));
    assert_eq!(checked_ratio_grad(-1.0, 3.0), Err("a = -1".to_string()));
    let (value, (da, db)) = checked_scaled_grad(2.0, 3.0).unwrap();
    let l = 0.4f64.ln();
    assert!(close(value, 0.4 * l));
    assert!(
        close(da, (1.0 / 2.0 - 1.0 / 5.0) * 0.4 + l * 3.0 / 25.0),
        "{da}"
    );
    assert!(close(db, -1.0 / 5.0 * 0.4 - l * 2.0 / 25.0), "{db}");
}

// ---- forms of geographiclib, geo and puruspe ----

/// The quotient's low bits and the remainder, as `libm::remquo` returns them.
fn quadrant(x: f64) -> (f64, i32) {
    let q = (x / 90.0).round();
    (x - 90.0 * q, q as i32)
}

/// geographiclib's `sincosd`, the quadrant taken from a tuple's integer part.
#[grad]
fn sincosd_sum(x: f64) -> f64 {
    let (_, q) = quadrant(x);
    let r = (x - 90.0 * q as f64).to_radians();
    let (s, c) = r.sin_cos();
    let (s, c) = match q & 3 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        3 => (-c, s),
        _ => unreachable!(),
    };
    if quadrant(x).1 > 100 || x.is_zero() {
        return 0.0;
    }
    s + 2.0 * c
}

#[derive(Clone, Copy, Debug, Params, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

#[grad]
fn distance(a: &Point, b: &Point) -> f64 {
    if a == b {
        0.0
    } else {
        (a.x - b.x).hypot(a.y - b.y)
    }
}

#[test]
fn forms_of_geodesy_code() {
    for x in [10.0, 100.0, 200.0, 290.0] {
        let (value, slope) = sincosd_sum_grad(x);
        let r = x.to_radians();
        assert!(close(value, r.sin() + 2.0 * r.cos()), "{x}");
        assert!(close(slope, (r.cos() - 2.0 * r.sin()).to_radians()), "{x}");
    }
    assert_eq!(sincosd_sum_grad(0.0), (0.0, 0.0));
    let (a, b) = (Point { x: 3.0, y: 4.0 }, Point { x: 0.0, y: 0.0 });
    let (value, (da, db)) = distance_grad(&a, &b);
    assert_eq!(value, 5.0);
    assert!(close(da.x, 0.6) && close(da.y, 0.8) && close(db.x, -0.6) && close(db.y, -0.8));
    assert_eq!(distance_grad(&a, &a).0, 0.0);
}

// ---- forms of noise-rs ----

/// A permutation table of data.
struct Permutation {
    values: [u8; 8],
}

impl Permutation {
    fn get(&self, corner: [isize; 2]) -> usize {
        self.values[((corner[0] ^ corner[1]) & 7) as usize] as usize
    }
}

fn hash(corner: [isize; 2]) -> usize {
    ((corner[0] * 3 + corner[1]) & 7) as usize
}

fn to_isize2(x: [f64; 2]) -> [isize; 2] {
    [x[0] as isize, x[1] as isize]
}

/// Value noise on a lattice, its corner hashed by a function and by a table.
#[grad(x, y)]
fn lattice(perm: &Permutation, x: f64, y: f64) -> f64 {
    let floored = [x.floor(), y.floor()];
    let corner = to_isize2(floored);
    let fx = x - floored[0];
    let fy = y - floored[1];
    let a = perm.get(corner) as f64;
    let b = hash(corner) as f64;
    let near = [x as isize, 0];
    a * fx * fx + b * fy + hash(near) as f64 * fx * fy
}

#[test]
fn forms_of_noise_code() {
    let perm = Permutation {
        values: [5, 1, 4, 2, 7, 0, 6, 3],
    };
    let (x, y) = (2.25, 1.5);
    // corner [2, 1]: get = values[3] = 2, hash = 7 & 7 = 7; near [2, 0]: hash = 6
    let (value, (dx, dy)) = lattice_grad(&perm, x, y);
    assert_eq!(value, lattice(&perm, x, y));
    assert!(close(value, 2.0 * 0.0625 + 7.0 * 0.5 + 6.0 * 0.25 * 0.5));
    assert!(close(dx, 2.0 * 2.0 * 0.25 + 6.0 * 0.5));
    assert!(close(dy, 7.0 + 6.0 * 0.25));
}

// ---- forms of smartcore and of quant code ----

// (`&Vec` as smartcore writes it.)
#[allow(clippy::ptr_arg)]
#[grad]
fn squared_distance(x: &Vec<f64>, y: &Vec<f64>) -> f64 {
    let sum: f64 = x
        .iter()
        .zip(y.iter())
        .map(|(&a, &b)| {
            let r = a - b;
            (r * r).to_f64().unwrap()
        })
        .sum();
    let m: f64 = num_traits::NumCast::from(sum).unwrap();
    m + <f64 as num_traits::NumCast>::from(f64::to_f64(&x[0]).unwrap()).unwrap()
}

#[allow(non_snake_case)]
#[grad]
fn BS_Call(S0: f64, sigma: f64) -> f64 {
    S0 * sigma.tanh()
}

#[allow(non_snake_case)]
#[grad]
fn doubled_call(S0: f64, sigma: f64) -> f64 {
    BS_Call(S0, sigma) * 2.0
}

#[test]
fn forms_of_smartcore_and_quant_code() {
    let (value, (dx, dy)) = squared_distance_grad(&vec![1.0, 2.0], &vec![0.0, 0.5]);
    assert_eq!(value, 1.0 + 2.25 + 1.0);
    assert_eq!((dx, dy), (vec![2.0 + 1.0, 3.0], vec![-2.0, -3.0]));
    let (value, (ds, dsigma)) = doubled_call_grad(100.0, 0.2);
    assert!(close(value, 200.0 * 0.2f64.tanh()));
    assert!(close(ds, 2.0 * 0.2f64.tanh()));
    assert!(close(dsigma, 200.0 * (1.0 - 0.2f64.tanh().powi(2))));
}

/// A distribution of data, as RustQuant's `Gaussian`.
struct Gaussian {
    mean: f64,
    variance: f64,
}

impl Default for Gaussian {
    fn default() -> Self {
        Gaussian::new(0.0, 1.0)
    }
}

impl Gaussian {
    fn new(mean: f64, variance: f64) -> Self {
        Gaussian { mean, variance }
    }

    #[grad(x)]
    fn cdf(&self, x: f64) -> f64 {
        0.5 * (1.0 + ((x - self.mean) / (2.0 * self.variance).sqrt()).tanh())
    }
}

#[grad]
fn call_price(s: f64) -> f64 {
    let n = Gaussian::new(0.0, 1.0);
    let standard = Gaussian::default();
    s * n.cdf(s) + standard.cdf(2.0 * s)
}

#[test]
fn a_distribution_made_by_its_constructor() {
    let lit = Gaussian {
        mean: 0.0,
        variance: 1.0,
    };
    let s = 0.3;
    let (value, slope) = call_price_grad(s);
    assert!(close(value, s * lit.cdf(s) + lit.cdf(2.0 * s)));
    let (_, dcdf) = lit.cdf_grad(s);
    let (_, dcdf2) = lit.cdf_grad(2.0 * s);
    assert!(close(slope, lit.cdf(s) + s * dcdf + 2.0 * dcdf2));
}
