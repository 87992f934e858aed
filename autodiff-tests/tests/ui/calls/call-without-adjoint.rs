use autodiff::grad;

fn helper(x: f64) -> f64 {
    x * x
}

#[grad]
fn f(x: f64) -> f64 {
    2.0 * helper(x)
}

fn main() {}
