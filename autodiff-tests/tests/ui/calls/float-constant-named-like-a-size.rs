// A float constant whose name has a size word (`N_SCALE`) passed to a `#[grad]` function: it
// is taken for an integer and given no shadow argument; the check says so at the constant
// (it was only a missing argument inside generated code).
use autodiff::grad;

const N_SCALE: f64 = 2.0;

#[grad]
fn scale_by(x: f64, k: f64) -> f64 {
    x * k * k
}

#[grad]
fn scaled(x: f64) -> f64 {
    scale_by(x, N_SCALE)
}

fn main() {}
