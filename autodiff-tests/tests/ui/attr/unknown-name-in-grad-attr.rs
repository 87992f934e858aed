use autodiff::grad;

#[grad(w, c)]
fn f(w: f64, b: f64) -> f64 {
    w * b
}

fn main() {}
