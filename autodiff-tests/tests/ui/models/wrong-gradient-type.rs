use autodiff::{grad, Const};

#[derive(Clone, Default, autodiff::Params)]
struct Net {
    w: [f64; 2],
    b: f64,
}

#[derive(Clone, Default, autodiff::Params)]
struct Other {
    w: [f64; 2],
    b: f64,
}

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
