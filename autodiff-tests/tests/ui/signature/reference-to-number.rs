// A number taken by reference (`x: &f64`): #[grad] differentiates numbers taken by value.
use autodiff::grad;

#[grad]
fn f(x: &f64, y: f64) -> f64 {
    *x * y
}

fn main() {}
