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

// A float field of an item cast with `as` to another type than the function's float
// (`l.b as f32` in an `f64` function), which #[grad] takes for an integer: a derivative would
// not follow the conversion, so it is a compile error. (`l.b as f64` is differentiated.)
#[grad(net)]
fn loss(net: &Net, x: f64) -> f64 {
    let mut s = 0.0;
    for l in &net.layers {
        s += l.w[0] * x + f64::from(l.b as f32);
    }
    s
}

fn main() {}
