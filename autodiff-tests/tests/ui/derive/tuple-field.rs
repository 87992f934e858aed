#[derive(Clone, autodiff::Params)]
struct Line {
    coefficients: (f64, f64),
}

fn main() {}
