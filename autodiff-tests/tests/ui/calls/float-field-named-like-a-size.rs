// A float field of data named like a size (`k`, a stiffness) passed to a `#[grad]`
// callee: taken for an integer by its name, with no shadow argument.
use autodiff::grad;

pub struct Weights {
    pub k: f64,
}

#[grad]
fn scaled(d: f64, k: f64) -> f64 {
    d / k
}

#[grad(dl)]
fn lightness_term(dl: f64, w: &Weights) -> f64 {
    scaled(dl, w.k)
}

fn main() {}
