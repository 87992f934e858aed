use autodiff::grad;

#[derive(Clone, Default)]
struct Net {
    w: [f64; 2],
}

#[grad]
fn loss(net: &mut Net, x: f64) -> f64 {
    net.w[0] * x + net.w[1]
}

fn main() {}
