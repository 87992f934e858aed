use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Dense {
    w: [f64; 3],
}

#[derive(Clone, Params)]
struct Stack {
    layers: [Dense; 2],
}

impl Stack {
    fn width(&self) -> f64 {
        3.0
    }
}

#[grad]
fn method(net: &Stack, x: &[f64; 3]) -> f64 {
    net.width() * x[0]
}

fn main() {}
