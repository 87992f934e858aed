use autodiff::grad;

// A tuple of numbers is differentiated; one with a count in it is not.
#[grad]
fn f(x: f64, y: f64) -> (f64, usize) {
    (x * y, 3)
}

fn main() {}
