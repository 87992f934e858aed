use autodiff::grad;

struct Model {
    w: f64,
}

impl Model {
    #[grad]
    fn predict(&self, x: f64) -> f64 {
        x * 2.0
    }
}

fn main() {
    let m = Model { w: 1.0 };
    let _ = m.w;
}
