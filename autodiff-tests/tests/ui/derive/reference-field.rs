#[derive(Clone, autodiff::Params)]
struct Net<'a> {
    w: &'a [f64],
    b: f64,
}

fn main() {}
