//! A constant argument computed from `const` table elements only (`TABLE[1] + TABLE[0]`, also
//! through a local, or `scale(TABLE[0], TABLE[1])`) gets no shadow in the call of
//! `scale_adjoint`: the generated code calls it with one argument too few (E0061). One
//! element (`TABLE[1]`, `-TABLE[1]`) or an element and a literal (`TABLE[1] + 1.0`,
//! `scale(TABLE[0], 2.0)`) keep it. Found by autodiff-fuzz (calls, const-tables).
use autodiff::grad;

const TABLE: [f64; 2] = [0.5, 2.0];

#[grad]
fn scale(x: f64, s: f64) -> f64 {
    x * s
}

#[grad]
fn table_arithmetic_argument(x: f64) -> f64 {
    let t = TABLE[1] - TABLE[0];
    scale(x, TABLE[1] + TABLE[0])
        + scale(x, TABLE[1] * TABLE[0])
        + scale(x, t)
        + scale(x, scale(TABLE[0], TABLE[1]))
}

fn main() {
    // (2.5 + 1.0 + 1.5 + 1.0) x
    assert_eq!(table_arithmetic_argument_grad(2.0), (12.0, 6.0));
}
