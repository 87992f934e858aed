#[derive(Clone, autodiff::Params)]
struct Dense {
    w: [[f32; 3]; 2],
    b: [f32; 2],
}

#[derive(Clone, autodiff::Params)]
struct Net {
    layers: Vec<Dense>,
    out: [f64; 2],
}

fn main() {}
