// Growing a local `Vec` with `push` in a branch: its length is not the loop's trip count, and
// the sweeps track a local array's elements, not a changing length; the message says which
// pushes work and how to write the others.
use autodiff::grad;

#[grad]
fn positive_squares(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for &v in x {
        if v > 0.0 {
            out.push(v * v);
        }
    }
    out
}

fn main() {}
