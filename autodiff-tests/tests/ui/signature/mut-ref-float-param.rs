use autodiff::grad;

#[grad]
fn f(x: &mut f64, y: f64) -> f64 {
    *x * y
}

fn main() {}
