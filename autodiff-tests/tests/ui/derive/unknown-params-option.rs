#[derive(Clone, autodiff::Params)]
struct Net {
    w: [f64; 3],
    #[params(skp)]
    epochs: usize,
}

fn main() {}
