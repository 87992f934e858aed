use autodiff::grad;

// A Hessian is asked of one array parameter; this function differentiates two.
#[grad(modes(hessian))]
fn f(x: &[f64], y: f64) -> f64 {
    x[0] * x[1] * y
}

fn main() {
    let _ = f_grad(&[1.0, 2.0], 3.0);
}
