// `x ^ 2.0` as other languages write a power: in Rust `^` is exclusive or.
use autodiff::grad;

#[grad]
fn square(x: f64) -> f64 {
    x ^ 2.0
}

fn main() {}
