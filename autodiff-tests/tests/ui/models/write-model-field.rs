use autodiff::grad;

#[derive(Clone, Default, autodiff::Params)]
struct Net {
    w: [f64; 2],
    b: f64,
}

#[grad(net)]
fn loss(net: &Net, x: f64) -> f64 {
    net.w[0] = x;
    net.b += 1.0;
    net.w[0] * x + net.b
}

fn main() {}
