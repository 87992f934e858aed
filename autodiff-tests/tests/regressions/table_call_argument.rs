//! A call on a whole `const` table (`total(&TABLE)`) as an argument of a `#[grad]` function,
//! directly or through a local, gets no shadow: the generated code calls `scale_adjoint` with
//! one argument too few (E0061). Calls on table elements (`scale(TABLE[0], TABLE[1])`) keep
//! it. Found by autodiff-fuzz (calls, const-tables, in a vector-outputs run).
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

const TABLE: [f64; 2] = [0.5, 2.0];

#[grad]
fn scale(x: f64, s: f64) -> f64 {
    x * s
}

#[grad]
fn total(w: &[f64; 2]) -> f64 {
    w[0] + w[1]
}

#[grad]
fn table_call_argument(x: f64) -> f64 {
    let t = total(&TABLE);
    scale(x, total(&TABLE)) + scale(x, t) + scale(total(&TABLE), x)
}

fn main() {
    // 3 (0.5 + 2.0) x
    assert_eq!(table_call_argument_grad(2.0), (15.0, 7.5));
}
