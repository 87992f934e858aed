use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Net {
    w: [f64; 2],
}

// `net` is data here: only the gradient with respect to `x` is asked for.
#[grad(x)]
fn score(net: &Net, x: &[f64; 2]) -> f64 {
    net.w[0] * x[0] + net.w[1] * x[1]
}

#[grad(net)]
fn loss(net: &Net, x: &[f64; 2]) -> f64 {
    let s = score(net, x);
    s * s
}

fn main() {}
