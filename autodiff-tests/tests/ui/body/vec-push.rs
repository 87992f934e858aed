// Growing a local `Vec` with `push` in an inner loop: how many items the outer loop's
// iteration pushes is not bounded before it runs, and the sweeps track a local array's
// elements, not a changing length; the message says which pushes work and how to write
// the others.
use autodiff::grad;

#[grad]
fn pair_products(x: &[f64]) -> f64 {
    let mut out = Vec::new();
    for i in 0..x.len() {
        for j in 0..i {
            out.push(x[i] * x[j]);
        }
    }
    out.iter().sum()
}

fn main() {}
