// A slice method that writes a row of a local matrix in a way the sweeps cannot follow.
use autodiff::grad;

#[grad]
fn shifted(a: &[[f64; 3]; 2]) -> f64 {
    let mut l = *a;
    l[1].copy_within(1.., 0);
    l[0][0] * l[1][0]
}

fn main() {}
