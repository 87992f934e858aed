use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

#[derive(Clone, Debug, Params)]
struct Net {
    layers: Vec<Layer>,
}

// A float field of an item read through `as`, which #[grad] takes for an integer (`l.n as
// f64`): its derivative would be lost, so it is a compile error.
#[grad(net)]
fn loss(net: &Net, x: f64) -> f64 {
    let mut s = 0.0;
    for l in &net.layers {
        s += l.w[0] * x + l.b as f64;
    }
    s
}

fn main() {}
