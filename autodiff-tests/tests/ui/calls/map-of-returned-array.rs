use autodiff::grad;

#[grad]
fn affine(w: &[f64; 3], x: &[f64; 3]) -> [f64; 3] {
    [w[0] * x[0] + 1.0, w[1] * x[1] + 1.0, w[2] * x[2] + 1.0]
}

// The length of the array `affine` returns is not written here: the `let` must state it.
#[grad(w)]
fn squashed(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let h = affine(w, x).map(|v| v.tanh());
    h.iter().sum()
}

fn main() {}
