//! Float arguments whose type the macro cannot read off a literal or a float parameter, passed
//! to `#[grad]` functions (scalar- and vector-valued): each needs a `Const` shadow. The success
//! of a fallible call (`?`, `.unwrap()`, `.expect(..)`, `.unwrap_or(..)`, a float method of
//! one, nested ones), on a constant or a `match` of constants; a local, block, `if`, `match`
//! or loop holding one; a local bound to a float constant; an element or a fold of a `const`
//! table taken by methods. Every one gave `_adjoint` one argument too few (E0061), like
//! `unwrapped_call_argument`; `*TABLE.first().unwrap()` also lost its `*`, and `h.unwrap()`
//! of a local `h = halve(..)` took `h` for an array.
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

const EPS: f64 = 1.5;
const TABLE: [f64; 2] = [0.5, 2.0];
const N_TERMS: usize = 3;

#[grad]
fn pair(w: &[f64], x: f64) -> Vec<f64> {
    vec![w[0] * x, x * x]
}

#[grad]
fn halve(x: f64) -> Option<f64> {
    Some(x * 0.5)
}

#[grad]
fn third(x: f64) -> Result<f64, String> {
    Ok(x / 3.0)
}

#[grad]
fn scale(x: f64, s: f64) -> f64 {
    x * s
}

/// The fuzzer's form: a `match` of constants without a float literal in it.
#[grad]
fn unwrapped_match(w: &[f64], x: f64) -> f64 {
    let y = pair(
        w,
        halve(match N_TERMS % 3 {
            0 => {
                let e = N_TERMS as f64;
                e * EPS
            }
            _ => N_TERMS as f64,
        })
        .unwrap(),
    );
    y[1] * x
}

#[grad]
fn question_mark(w: &[f64], x: f64) -> Result<f64, String> {
    let y = pair(w, third(EPS)?);
    Ok(scale(x, third(EPS)?) + scale(third(TABLE[1])?, x) + y[0] * x)
}

#[grad]
fn expect(w: &[f64], x: f64) -> f64 {
    let y = pair(w, third(EPS).expect("a third"));
    scale(x, third(EPS).expect("a third")) + y[0]
}

#[grad]
fn method_of_success(x: f64) -> f64 {
    scale(x, halve(EPS).unwrap().max(EPS)) + scale(x, halve(EPS).unwrap_or(EPS))
}

#[grad]
fn through_local_and_block(x: f64) -> f64 {
    let a = halve(EPS).unwrap();
    let b = {
        let e = EPS;
        halve(e).unwrap()
    };
    scale(x, a) + scale(b, x)
}

#[grad]
fn through_branches(x: f64, k: usize) -> f64 {
    let a = match k {
        0 => halve(EPS).unwrap(),
        _ => TABLE[0],
    };
    let b = if k > 1 { TABLE[1] } else { halve(EPS).unwrap() };
    scale(x, a) + scale(x, b)
}

#[grad]
fn branches_as_arguments(x: f64, k: usize) -> f64 {
    scale(
        x,
        match k {
            0 => halve(EPS).unwrap(),
            _ => EPS,
        },
    ) + scale(x, if k > 1 { halve(EPS).unwrap() } else { TABLE[0] })
}

#[grad]
fn constant_local(x: f64) -> f64 {
    let e = EPS;
    let f = e * e;
    scale(x, e) + scale(f, x)
}

#[grad]
fn nested_and_negated(x: f64) -> Option<f64> {
    Some(scale(x, halve(halve(EPS).unwrap()).unwrap()) + scale(x, -halve(TABLE[0] + EPS)?))
}

#[grad]
fn option_local(x: f64) -> f64 {
    let h = halve(EPS);
    scale(x, h.unwrap())
}

#[grad]
fn loop_carried(x: f64, k: usize) -> f64 {
    let mut s = EPS;
    for _ in 0..k {
        s = halve(s).unwrap();
    }
    scale(x, s)
}

#[grad]
fn table_methods(x: f64) -> f64 {
    scale(x, *TABLE.first().unwrap())
        + scale(TABLE.get(1).copied().unwrap(), x)
        + scale(x, TABLE.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

fn main() {
    let w = [3.0, 2.0];
    // halve(3 * 1.5) = 2.25, y[1] = 2.25^2
    let (v, (d_w, d_x)) = unwrapped_match_grad(&w, 2.0);
    assert_eq!((v, d_w, d_x), (10.125, vec![0.0, 0.0], 5.0625));

    // 0.5 x + 2/3 x + 0.5 w[0] x
    let (v, (d_w, d_x)) = question_mark_grad(&w, 2.0).unwrap();
    assert!(close(v, 1.0 + 4.0 / 3.0 + 3.0) && close(d_x, 0.5 + 2.0 / 3.0 + 1.5));
    assert!(close(d_w[0], 1.0) && d_w[1] == 0.0);

    // 0.5 x + 0.5 w[0]
    let (v, (d_w, d_x)) = expect_grad(&w, 2.0);
    assert!(close(v, 2.5) && close(d_x, 0.5) && close(d_w[0], 0.5) && d_w[1] == 0.0);

    // x max(0.75, 1.5) + 0.75 x
    assert_eq!(method_of_success_grad(2.0), (4.5, 2.25));
    assert_eq!(through_local_and_block_grad(2.0), (3.0, 1.5));

    // k = 0: 0.75 x + 0.75 x; k = 2: 0.5 x + 2 x
    assert_eq!(through_branches_grad(2.0, 0), (3.0, 1.5));
    assert_eq!(through_branches_grad(2.0, 2), (5.0, 2.5));
    // k = 0: 0.75 x + 0.5 x; k = 2: 1.5 x + 0.75 x
    assert_eq!(branches_as_arguments_grad(2.0, 0), (2.5, 1.25));
    assert_eq!(branches_as_arguments_grad(2.0, 2), (4.5, 2.25));

    // 1.5 x + 2.25 x
    assert_eq!(constant_local_grad(2.0), (7.5, 3.75));

    // 0.375 x - 1.0 x
    assert_eq!(nested_and_negated_grad(2.0), Some((-1.25, -0.625)));
    assert_eq!(option_local_grad(2.0), (1.5, 0.75));
    // EPS halved k times
    assert_eq!(loop_carried_grad(2.0, 2), (0.75, 0.375));
    assert_eq!(loop_carried_grad(2.0, 0), (3.0, 1.5));
    // 0.5 x + 2 x + 2 x
    assert_eq!(table_methods_grad(2.0), (9.0, 4.5));
}
