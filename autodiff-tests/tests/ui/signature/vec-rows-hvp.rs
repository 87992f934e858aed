use autodiff::grad;

// Rows of their own lengths under second order: a model has no second order either, so the
// advice is a matrix of constant row length or a flat slice.
#[grad(modes(hvp))]
fn log_transitions(log_a: &[Vec<f64>]) -> f64 {
    log_a[0][0].exp() + log_a[1][1].exp()
}

fn main() {}
