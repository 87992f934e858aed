// A float constant named by a size word alone (`N`, a Hill coefficient) passed to a `#[grad]` function: it
// is taken for an integer and given no shadow argument; the check says so at the constant
// (it was only a missing argument inside generated code).
use autodiff::grad;

const N: f64 = 2.0;

#[grad]
fn scale_by(x: f64, k: f64) -> f64 {
    x * k * k
}

#[grad]
fn scaled(x: f64) -> f64 {
    scale_by(x, N)
}

fn main() {}
