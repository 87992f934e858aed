//! The two checks every corpus case runs, so no case carries its own checking code.
//!
//! A case sees its differentiated parameters as one flat vector `x`; closures adapt the
//! function's real signature (scalars, arrays, slices, several parameters) to that view.
//!
//! - [`Case::reference`] proves the hand-derived gradient against central finite differences
//!   at seeded random points of the function's domain.
//! - [`Case::generated`] compares the `#[grad]` gradient with the hand gradient at the same
//!   points (relative 1e-10), and checks that `NAME_adjoint` *adds* `d_out * gradient` into
//!   accumulators that already hold something.
//! - [`Case::partially_active`] calls `NAME_adjoint` with `Const` for some parameters: the
//!   others still get exactly `d_out * gradient`.
//! - [`Case::generated_f32`] checks a generic function's gradient instantiated at `f32`.
//! - [`Case::high_precision`] checks a value and gradient (hand or generated) against a table
//!   of [`Reference`]s computed in high precision (mpmath, by a script beside the case), at
//!   fixed points, within a tolerance the case states.

use crate::common::{numeric_gradient, Rng};

/// Where a gradient of the generated code may differ from the hand formula: rounding only.
const GENERATED_TOL: f64 = 1e-10;
/// Central differences with a 1e-6 step: truncation and rounding both stay well below this.
const FD_TOL: f64 = 1e-6;
/// f32 rounding accumulated over a few dozen operations.
const F32_TOL: f64 = 1e-4;
/// The `d_out` given to `NAME_adjoint`: not 1, so a missing scaling shows.
const D_OUT: f64 = 0.75;

/// One corpus case: a name (also the seed) and a box in which inputs are drawn.
pub struct Case {
    name: &'static str,
    ranges: Vec<(f64, f64)>,
    points: usize,
}

impl Case {
    /// `dim` inputs, each drawn uniformly in `[lo, hi]`.
    pub fn new(name: &'static str, dim: usize, lo: f64, hi: f64) -> Self {
        Self::ranges(name, &vec![(lo, hi); dim])
    }

    /// One range per input (a density's scale must stay positive, ...).
    pub fn ranges(name: &'static str, ranges: &[(f64, f64)]) -> Self {
        Case {
            name,
            ranges: ranges.to_vec(),
            points: 5,
        }
    }

    /// The seeded sample points, the same for both checks.
    pub fn points(&self) -> Vec<Vec<f64>> {
        let seed = self.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let mut rng = Rng::new(seed);
        (0..self.points)
            .map(|_| {
                self.ranges
                    .iter()
                    .map(|&(lo, hi)| rng.uniform(lo, hi))
                    .collect()
            })
            .collect()
    }

    /// The hand gradient equals central finite differences of `f`.
    #[track_caller]
    pub fn reference(&self, f: impl Fn(&[f64]) -> f64, hand: impl Fn(&[f64]) -> Vec<f64>) {
        for x in self.points() {
            let value = f(&x);
            assert!(value.is_finite(), "{}: f = {value} at {x:?}", self.name);
            let want = numeric_gradient(&f, &x);
            let got = hand(&x);
            compare(
                self.name,
                "hand gradient vs finite differences",
                &got,
                &want,
                &x,
                FD_TOL,
            );
        }
    }

    /// The generated gradient equals the hand gradient, and the adjoint accumulates.
    ///
    /// `adjoint(x, d_out, acc)` calls `NAME_adjoint` with `acc` as the accumulator of the
    /// differentiated parameters (split as the signature needs) and returns the value.
    #[track_caller]
    pub fn generated(
        &self,
        f: impl Fn(&[f64]) -> f64,
        hand: impl Fn(&[f64]) -> Vec<f64>,
        grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
        adjoint: impl Fn(&[f64], f64, &mut [f64]) -> f64,
    ) {
        for x in self.points() {
            let want = hand(&x);
            let value = f(&x);
            let (v, g) = grad(&x);
            compare(self.name, "_grad value", &[v], &[value], &x, GENERATED_TOL);
            compare(
                self.name,
                "_grad vs hand gradient",
                &g,
                &want,
                &x,
                GENERATED_TOL,
            );

            let before: Vec<f64> = (0..x.len()).map(|i| 0.5 - i as f64).collect();
            let mut acc = before.clone();
            let v = adjoint(&x, D_OUT, &mut acc);
            compare(
                self.name,
                "_adjoint value",
                &[v],
                &[value],
                &x,
                GENERATED_TOL,
            );
            let added: Vec<f64> = acc.iter().zip(&before).map(|(a, b)| a - b).collect();
            let scaled: Vec<f64> = want.iter().map(|g| D_OUT * g).collect();
            compare(
                self.name,
                "_adjoint accumulation",
                &added,
                &scaled,
                &x,
                GENERATED_TOL,
            );
        }
    }
}

impl Case {
    /// `NAME_adjoint` with some differentiated parameters passed `Const`: the accumulators
    /// that are passed (`active[i]`) still receive `d_out * gradient` exactly as before, so
    /// the work dropped for a `Const` shadow was only the work that fed it.
    ///
    /// `adjoint(x, d_out, acc)` passes the parts of `acc` whose `active` entries are true and
    /// `Const` for the other parameters.
    #[track_caller]
    pub fn partially_active(
        &self,
        hand: impl Fn(&[f64]) -> Vec<f64>,
        active: &[bool],
        adjoint: impl Fn(&[f64], f64, &mut [f64]) -> f64,
    ) {
        for x in self.points() {
            assert_eq!(active.len(), x.len(), "{}: one flag per input", self.name);
            let mut acc = vec![0.0; x.len()];
            adjoint(&x, D_OUT, &mut acc);
            let (got, want): (Vec<f64>, Vec<f64>) = hand(&x)
                .iter()
                .zip(&acc)
                .zip(active)
                .filter(|(_, &on)| on)
                .map(|((h, a), _)| (*a, D_OUT * h))
                .unzip();
            assert!(!got.is_empty(), "{}: no active parameter", self.name);
            compare(
                self.name,
                "_adjoint with Const shadows",
                &got,
                &want,
                &x,
                GENERATED_TOL,
            );
        }
    }

    /// The generated gradient of a generic function instantiated at `f32` equals the hand
    /// gradient (in f64, at the same f32-rounded point) to f32 accuracy.
    #[track_caller]
    pub fn generated_f32(
        &self,
        hand: impl Fn(&[f64]) -> Vec<f64>,
        grad: impl Fn(&[f32]) -> (f32, Vec<f32>),
    ) {
        for x in self.points() {
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let x: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
            let (_, g) = grad(&x32);
            let got: Vec<f64> = g.iter().map(|&v| f64::from(v)).collect();
            compare(
                self.name,
                "_grad::<f32> vs hand gradient",
                &got,
                &hand(&x),
                &x,
                F32_TOL,
            );
        }
    }
}

/// A value and its gradient at one point, computed in high precision (mpmath, 30 digits) by
/// a script beside the case: `at` is the case's flat input, `gradient` has one entry per input.
pub struct Reference {
    pub at: &'static [f64],
    pub value: f64,
    pub gradient: &'static [f64],
}

impl Case {
    /// `f` (a value and a gradient at a flat input) agrees with every reference: each entry
    /// within `tol` relative to the reference entry (an entry that is exactly zero within
    /// `tol` absolute). `what` names the function checked. The worst relative errors are
    /// printed (`--nocapture`), so a tolerance can be seen to be tight.
    #[track_caller]
    pub fn high_precision(
        &self,
        what: &str,
        table: &[Reference],
        f: impl Fn(&[f64]) -> (f64, Vec<f64>),
        tol: f64,
    ) {
        let error = |got: f64, want: f64| {
            if want == 0.0 {
                got.abs()
            } else {
                (got - want).abs() / want.abs()
            }
        };
        let (mut worst_value, mut worst_gradient) = (0.0_f64, 0.0_f64);
        for r in table {
            let (value, gradient) = f(r.at);
            assert_eq!(
                gradient.len(),
                r.gradient.len(),
                "{}: {what}: length",
                self.name
            );
            let e = error(value, r.value);
            assert!(
                e <= tol,
                "{}: {what}: value {value} vs {} (relative error {e:.1e} > {tol:.0e}) at {:?}",
                self.name,
                r.value,
                r.at
            );
            worst_value = worst_value.max(e);
            for (i, (&g, &w)) in gradient.iter().zip(r.gradient).enumerate() {
                let e = error(g, w);
                assert!(
                    e <= tol,
                    "{}: {what}: gradient component {i}: {g} vs {w} (relative error {e:.1e} \
                     > {tol:.0e}) at {:?}",
                    self.name,
                    r.at
                );
                worst_gradient = worst_gradient.max(e);
            }
        }
        println!(
            "{}: {what} vs mpmath: worst relative error {worst_value:.1e} (value), \
             {worst_gradient:.1e} (gradient); tolerance {tol:.0e}",
            self.name
        );
    }
}

/// `got` equals `want` within `tol` relative to the larger of 1 and the largest `|want_i|`.
#[track_caller]
fn compare(name: &str, what: &str, got: &[f64], want: &[f64], x: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{name}: {what}: length");
    let scale = want.iter().fold(1.0_f64, |m, w| m.max(w.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{name}: {what}: component {i}: {g} vs {w} at x = {x:?}"
        );
    }
}
