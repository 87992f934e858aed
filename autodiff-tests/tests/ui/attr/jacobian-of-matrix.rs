use autodiff::grad;

// A matrix output has a pullback and a tangent, not a Jacobian matrix: the message says how
// to get each entry's gradient.
#[grad(modes(jacobian))]
fn outer(a: &[f64; 2], b: &[f64; 2]) -> [[f64; 2]; 2] {
    [[a[0] * b[0], a[0] * b[1]], [a[1] * b[0], a[1] * b[1]]]
}

fn main() {}
