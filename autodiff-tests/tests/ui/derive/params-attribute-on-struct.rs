#[derive(Clone, autodiff::Params)]
#[params(skip)]
struct Net {
    w: [f64; 3],
}

fn main() {}
