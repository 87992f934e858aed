use autodiff::{grad, params};

#[derive(Clone, Default)]
struct Net {
    w: [f64; 2],
    b: f64,
}
params!(Net: f64 { w, b });

#[grad(net)]
fn loss(net: &Net, x: f64) -> f64 {
    net.w[0] = x;
    net.b += 1.0;
    net.w[0] * x + net.b
}

fn main() {}
