use autodiff::{grad, Shadow};

fn cube(x: f64) -> f64 {
    x * x * x
}

/// A custom first-order derivative, with no second-order counterpart `cube_dual_adjoint`.
fn cube_adjoint<D: Shadow<f64>>(x: f64, d_out: f64, mut d_x: D) -> f64 {
    d_x.add(d_out * 3.0 * x * x);
    cube(x)
}

#[grad(modes(hvp))]
fn f(x: f64) -> f64 {
    cube(x) + x
}

fn main() {
    let _ = f_hvp(1.0, 1.0);
}
