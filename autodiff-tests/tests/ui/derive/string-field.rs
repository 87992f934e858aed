#[derive(Clone, autodiff::Params)]
struct Net {
    name: String,
    w: Vec<f64>,
}

fn main() {}
