use autodiff::grad;

struct Model {
    w: f64,
}

impl Model {
    /// `self` is data under a bare `#[grad]`: the derivative is in `x` only.
    #[grad]
    fn predict(&self, x: f64) -> f64 {
        self.w * x * x
    }
}

fn main() {
    let m = Model { w: 1.5 };
    assert_eq!(m.predict_grad(2.0), (6.0, 6.0));
}
