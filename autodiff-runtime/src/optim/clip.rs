//! Gradient clipping: bounding a gradient before the optimizer's step.

use num_traits::ToPrimitive;

use super::{cast, positive, Params};
use crate::Result;

/// How to bound a gradient before a step (see
/// [`Trainer::with_gradient_clip`](crate::train::Trainer::with_gradient_clip)).
///
/// ```
/// use autodiff_runtime::optim::GradientClip;
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// // (3, 4) has norm 5: scaled to norm 1, its direction kept
/// let mut g = vec![3.0f64, 4.0];
/// assert_eq!(GradientClip::GlobalNorm(1.0).apply(&mut g)?, 5.0);
/// assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
///
/// // each entry into [-1, 1]
/// let mut g = vec![3.0, -0.5];
/// GradientClip::Value(1.0).apply(&mut g)?;
/// assert_eq!(g, [1.0, -0.5]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GradientClip {
    /// Scale the whole gradient (every slice together) down to this Euclidean norm when it
    /// is longer (PyTorch's `clip_grad_norm_`).
    GlobalNorm(f64),
    /// Clamp every entry into `[-max, max]` (PyTorch's `clip_grad_value_`).
    Value(f64),
}

impl GradientClip {
    /// Checks the bound: a finite number > 0.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) named `"max_norm"` or
    /// `"max_value"`.
    pub fn validate(&self) -> Result<()> {
        match *self {
            GradientClip::GlobalNorm(max) => positive("max_norm", max).map(drop),
            GradientClip::Value(max) => positive("max_value", max).map(drop),
        }
    }

    /// Clips `grads` in place and returns its global norm before clipping.
    ///
    /// # Errors
    ///
    /// As [`GradientClip::validate`].
    pub fn apply<P: Params>(&self, grads: &mut P) -> Result<f64> {
        self.validate()?;
        let norm = global_norm(grads);
        match *self {
            GradientClip::GlobalNorm(max) if norm > max => {
                let scale: P::Scalar = cast(max / norm);
                grads.for_each_slice_mut(|s| s.values.iter_mut().for_each(|g| *g = *g * scale));
            }
            GradientClip::GlobalNorm(_) => {}
            GradientClip::Value(max) => {
                let max: P::Scalar = cast(max);
                // by comparisons, not `max`/`min`, which would turn a NaN into a bound
                grads.for_each_slice_mut(|s| {
                    for g in s.values.iter_mut() {
                        if *g > max {
                            *g = max;
                        } else if *g < -max {
                            *g = -max;
                        }
                    }
                });
            }
        }
        Ok(norm)
    }
}

/// The Euclidean norm of every entry together, in `f64`: NaN if one is NaN, and right where
/// the sum of squares overflows (entries of 1e200), by dividing by the largest entry first.
fn global_norm<P: Params>(grads: &P) -> f64 {
    let entries = |f: &mut dyn FnMut(f64)| {
        grads.for_each_slice(|s| {
            for v in s.values {
                f(v.to_f64().unwrap_or(f64::NAN));
            }
        });
    };
    let mut squares = 0.0;
    entries(&mut |v| squares += v * v);
    if squares.is_finite() {
        return squares.sqrt();
    }
    let mut largest = 0.0f64;
    entries(&mut |v| largest = if v.is_nan() { v } else { largest.max(v.abs()) });
    if !largest.is_finite() {
        return largest;
    }
    let mut scaled = 0.0;
    entries(&mut |v| scaled += (v / largest) * (v / largest));
    largest * scaled.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[derive(Clone, Debug, PartialEq, crate::Params)]
    struct Two {
        a: [f64; 2],
        b: f64,
    }

    #[test]
    fn global_norm_spans_every_slice_and_keeps_the_direction() {
        let mut g = Two {
            a: [2.0, -4.0],
            b: 4.0,
        };
        let before = g.clone();
        let norm = GradientClip::GlobalNorm(3.0).apply(&mut g).unwrap();
        assert_eq!(norm, (4.0f64 + 16.0 + 16.0).sqrt());
        assert!((g.squared_norm().sqrt() - 3.0).abs() < 1e-12);
        let ratio = g.b / before.b;
        assert!((g.a[0] / before.a[0] - ratio).abs() < 1e-15);
        assert!((g.a[1] / before.a[1] - ratio).abs() < 1e-15);
        // a short gradient is left alone
        let mut short = before.clone();
        GradientClip::GlobalNorm(100.0).apply(&mut short).unwrap();
        assert_eq!(short, before);
    }

    #[test]
    fn value_clamps_each_entry() {
        let mut g = Two {
            a: [2.0, -4.0],
            b: 0.5,
        };
        GradientClip::Value(1.0).apply(&mut g).unwrap();
        assert_eq!(
            g,
            Two {
                a: [1.0, -1.0],
                b: 0.5
            }
        );
    }

    #[test]
    fn a_nan_stays_and_huge_entries_keep_their_direction() {
        let mut g = vec![f64::NAN, 5.0, -5.0];
        GradientClip::Value(1.0).apply(&mut g).unwrap();
        assert!(g[0].is_nan());
        assert_eq!(g[1..], [1.0, -1.0]);
        let mut g = vec![f64::NAN, 5.0];
        assert!(GradientClip::GlobalNorm(1.0)
            .apply(&mut g)
            .unwrap()
            .is_nan());

        // the squares overflow; the norm does not
        let mut g = vec![1e200, 1e200];
        let norm = GradientClip::GlobalNorm(1.0).apply(&mut g).unwrap();
        assert!((norm / (2f64.sqrt() * 1e200) - 1.0).abs() < 1e-15);
        let half = 0.5f64.sqrt();
        assert!((g[0] - half).abs() < 1e-15 && (g[1] - half).abs() < 1e-15);
        let mut g = vec![3e20f32, 4e20];
        let norm = GradientClip::GlobalNorm(1.0).apply(&mut g).unwrap();
        assert!((norm / 5e20 - 1.0).abs() < 1e-6);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let mut g = vec![f64::INFINITY, 1.0];
        assert_eq!(
            GradientClip::GlobalNorm(1.0).apply(&mut g).unwrap(),
            f64::INFINITY
        );
    }

    #[test]
    fn bounds_must_be_positive() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            for (clip, name) in [
                (GradientClip::GlobalNorm(bad), "max_norm"),
                (GradientClip::Value(bad), "max_value"),
            ] {
                let err = clip.apply(&mut vec![1.0]).unwrap_err();
                assert!(matches!(err, Error::InvalidParameter { name: n, .. } if n == name));
            }
        }
    }
}
