// A local array of three dimensions, as a literal and as a `vec!` of matrices (ADBench hand's
// transforms): reported at the name, with the two ways to keep to two (the `vec!` one was at
// the attribute).
use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut cube = [[[0.0; 2]; 2]; 2];
    cube[1][0][1] = x;
    let mut mats = vec![[[0.0; 2]; 2]; 3];
    mats[1][0][1] = x * x;
    mats[1][0][1] + cube[1][0][1]
}

fn main() {}
