// A bare constant passed to a call is taken for float data (`scale(x, EPS)`, `dot(z, COEFFS)`)
// unless it is named like a size (`N`, `DIM`) or read as an integer in the body: `#[grad]`
// cannot see its type. An integer constant named otherwise gets a float's shadow argument.
use autodiff::grad;

const POWER: i32 = 3;

#[grad]
fn term(x: f64, p: i32) -> f64 {
    x.powi(p)
}

#[grad]
fn cubed(x: f64) -> f64 {
    term(x, POWER) + 1.0
}

const PICKS: [usize; 2] = [0, 2];

#[grad]
fn picked(x: &[f64], at: &[usize]) -> f64 {
    x[at[0]] * x[at[1]]
}

#[grad]
fn product(x: &[f64]) -> f64 {
    picked(x, &PICKS)
}

fn main() {}
