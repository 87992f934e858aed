// Counts, flags and indices are data, not parameters: each is reported on its field.
#[derive(Clone, autodiff::Params)]
struct Net {
    w: [f64; 3],
    n: usize,
    trained: bool,
    classes: [u8; 3],
}

fn main() {}
