#[derive(Clone, autodiff::Params)]
struct Net {
    w: [[f64; 3]; 2],
    b: Vec<f32>,
}

fn main() {}
