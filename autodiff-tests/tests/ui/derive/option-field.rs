#[derive(Clone, autodiff::Params)]
struct Net {
    w: [f64; 3],
    bias: Option<f64>,
}

fn main() {}
