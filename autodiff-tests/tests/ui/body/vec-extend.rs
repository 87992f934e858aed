// Extending a local `Vec` (`extend_from_slice`, `extend`, `append`, `insert`): the sweeps track
// a local array's elements, not a changing length; the message shows how to make the vector
// at its final size, or build it whole.
use autodiff::grad;

#[grad]
fn joined_squares(a: &[f64], b: &[f64]) -> f64 {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v.iter().map(|x| x * x).sum()
}

fn main() {}
