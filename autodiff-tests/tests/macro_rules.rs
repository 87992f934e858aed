//! `#[grad]` functions written by `macro_rules!` macros: the fragments a macro substitutes
//! (`$body:block`, `$t:ty`, `$e:expr`) arrive in invisible groups, which the compiler sees
//! through. A block substituted as a statement or as the whole body, a type substituted in the
//! signature, an expression whose precedence the group keeps, an index.

use autodiff::grad;

/// A sum of squares whose first statement is a block fragment.
macro_rules! scaled_sum {
    ($name:ident, $step:block) => {
        #[grad]
        fn $name(w: &[f64]) -> f64 {
            let mut total = 0.0;
            $step
            for v in w {
                total += v * v;
            }
            total
        }
    };
}

scaled_sum!(sum_of_squares, {
    let _unused = 1;
});

/// Types and an expression substituted: `$float`, `$weights` in the signature, `$scale`
/// (`1.0 + 2.0`, which the group keeps as one operand of `*`).
macro_rules! weighted {
    ($name:ident, $float:ty, $weights:ty, $scale:expr) => {
        #[grad]
        fn $name(w: $weights, x: $float) -> $float {
            w[0] * x * $scale + w[1] * $scale
        }
    };
}

weighted!(weighted_f64, f64, &[f64], 1.0 + 2.0);
weighted!(weighted_f32, f32, &[f32; 2], 0.5 - 0.25);

/// The whole body a block fragment.
macro_rules! with_body {
    ($name:ident, $w:ident, $body:block) => {
        #[grad]
        fn $name($w: &[f64]) -> f64 $body
    };
}

with_body!(product, w, { w[0] * w[1] });

/// An index substituted (`$at:expr`), read and written.
macro_rules! at_index {
    ($name:ident, $at:expr) => {
        #[grad]
        fn $name(w: &[f64]) -> f64 {
            let mut h = vec![0.0; 2];
            h[$at] = w[$at] * w[$at];
            h[$at] + w[0]
        }
    };
}

at_index!(squared_at, 1);

#[test]
fn functions_written_by_macro_rules_differentiate() {
    assert_eq!(sum_of_squares_grad(&[1.0, -2.0]), (5.0, vec![2.0, -4.0]));
    // (1 + 2) is one operand: 3 w0 x + 3 w1.
    assert_eq!(
        weighted_f64_grad(&[2.0, 5.0], 0.5),
        (18.0, (vec![1.5, 3.0], 6.0))
    );
    assert_eq!(
        weighted_f32_grad(&[2.0, 4.0], 2.0),
        (2.0, ([0.5, 0.25], 0.5))
    );
    assert_eq!(product_grad(&[3.0, 4.0]), (12.0, vec![4.0, 3.0]));
    assert_eq!(squared_at_grad(&[3.0, 4.0]), (19.0, vec![1.0, 8.0]));
}

/// Hygiene (probe): the template's own `x` and `t` are other variables than the caller's `x`
/// and `t` substituted into it, though spelt the same. The macro took one for the other
/// (value 10100 for 109, a zero gradient).
macro_rules! with_offsets {
    ($name:ident, $p:ident, $q:ident, $body:expr) => {
        #[grad(modes(tangent))]
        fn $name($p: f64, $q: f64) -> f64 {
            let x = 100.0;
            let t = [x, 2.0];
            let pair = Pair { t: t[1] };
            let Pair { t } = pair;
            $body + x * t
        }
    };
}

struct Pair {
    t: f64,
}

with_offsets!(offset_square, x, t, x * x * t);

#[test]
fn template_locals_are_other_variables_than_the_callers() {
    // x^2 t + 100 * 2 at (3, 2): the template's x is 100, its t the pair's 2.
    assert_eq!(offset_square(3.0, 2.0), 218.0);
    assert_eq!(offset_square_grad(3.0, 2.0), (218.0, (12.0, 9.0)));
    assert_eq!(offset_square_tangent(3.0, 2.0, 1.0, 1.0), (218.0, 21.0));
}

/// A closure whose body starts with the fragment: written out again in a block, its
/// invisible group ended the statement when it held a block-like expression (the macro
/// panicked on `if`, and on `const { 0.5 }`, which edition 2024's `expr` fragment takes).
macro_rules! closure_scaled {
    ($name:ident, $e:expr) => {
        #[grad(modes(tangent))]
        fn $name(x: f64) -> f64 {
            let g = |v: f64| $e * v;
            g(x) + g(x * x)
        }
    };
}

closure_scaled!(if_scaled, if true { 2.0 } else { 3.0 });
closure_scaled!(sum_scaled, 1.0 + 0.5);

#[test]
fn block_like_fragments_at_the_start_of_a_closure_body() {
    // c (x + x^2) at x = 3: c * 12, derivative c * 7.
    assert_eq!(if_scaled_grad(3.0), (24.0, 14.0));
    assert_eq!(sum_scaled_grad(3.0), (18.0, 10.5));
    assert_eq!(sum_scaled_tangent(3.0, 1.0), (18.0, 10.5));
}
