//! An array returned by a call that runs conditionally (in an `if`/`match` arm, after an early
//! `return`, `break` or `continue`) and passed on to another call (`product(&pair(x))`, or
//! `let y = pair(x); product(&y)`) breaks the generated code: on the path that skips the call,
//! the stored argument is a `Vec` where the other path has the array (E0308 `if` and `else`
//! have incompatible types). Computed unconditionally and passed in a branch, or a local
//! `[0.0; 2]` array passed, it works. Found by autodiff-fuzz (vector-outputs).
use autodiff::grad;

#[grad]
fn pair(x: f64) -> [f64; 2] {
    [x * x, 3.0 * x]
}

#[grad]
fn product(h: &[f64; 2]) -> f64 {
    h[0] * h[1]
}

#[grad]
fn after_return(x: f64) -> f64 {
    if x > 2.0 {
        return x;
    }
    product(&pair(x))
}

#[grad]
fn in_if_expression(x: f64) -> f64 {
    if x > 2.0 {
        x
    } else {
        product(&pair(x))
    }
}

#[grad]
fn bound_in_branch(x: f64) -> f64 {
    let mut s = x;
    if x < 2.0 {
        let y = pair(x);
        s += product(&y);
    }
    s
}

#[grad]
fn after_break(x: f64) -> f64 {
    let mut s = x;
    for i in 0..3 {
        if i == 2 {
            break;
        }
        s += product(&pair(x));
    }
    s
}

fn main() {
    // 3 x^3 below 2, x above
    assert_eq!(after_return_grad(0.5), (0.375, 2.25));
    assert_eq!(after_return_grad(3.0), (3.0, 1.0));
    assert_eq!(in_if_expression_grad(0.5), (0.375, 2.25));
    // x + 3 x^3
    assert_eq!(bound_in_branch_grad(0.5), (0.875, 3.25));
    // x + 6 x^3
    assert_eq!(after_break_grad(0.5), (1.25, 5.5));
}
