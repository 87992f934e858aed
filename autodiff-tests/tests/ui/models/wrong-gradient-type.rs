use autodiff::{grad, params, Const};

#[derive(Clone, Default)]
struct Net {
    w: [f64; 2],
    b: f64,
}
params!(Net: f64 { w, b });

#[derive(Clone, Default)]
struct Other {
    w: [f64; 2],
    b: f64,
}
params!(Other: f64 { w, b });

#[grad(net)]
fn loss(net: &Net, x: f64) -> f64 {
    net.w[0] * x + net.w[1] * net.b
}

fn main() {
    let net = Net::default();
    let mut wrong = Other::default();
    loss_adjoint(&net, 1.0, 1.0, &mut wrong, Const);
    let mut arrays = [0.0; 2];
    loss_adjoint(&net, 1.0, 1.0, &mut arrays, Const);
}
