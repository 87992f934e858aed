// A field of a named type is a nested model, which must implement `Params` itself.
#[derive(Clone)]
struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

#[derive(Clone, autodiff::Params)]
struct Net {
    hidden: Dense,
    out: [f64; 2],
}

fn main() {}
