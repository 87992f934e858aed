// Growing a local `Vec` with `push`: the sweeps track a local array's elements, not a
// changing length; the message says how to write it instead.
use autodiff::grad;

#[grad]
fn squares(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for &v in x {
        out.push(v * v);
    }
    out
}

fn main() {}
