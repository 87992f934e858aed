#[derive(Clone, Copy, autodiff::Params)]
union Bits {
    value: f64,
    raw: u64,
}

fn main() {}
