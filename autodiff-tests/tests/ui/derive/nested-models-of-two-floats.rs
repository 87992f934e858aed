#[derive(Clone, autodiff::Params)]
struct Dense {
    w: [f64; 3],
}

#[derive(Clone, autodiff::Params)]
struct Head {
    w: [f32; 3],
}

// No float field of its own: the first model's float is the model's.
#[derive(Clone, autodiff::Params)]
struct Net {
    body: Dense,
    head: Head,
}

fn main() {}
