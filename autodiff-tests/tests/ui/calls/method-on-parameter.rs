use autodiff::grad;

struct Model;

impl Model {
    fn scale(&self, v: f64) -> f64 {
        v * 2.0
    }
}

#[grad(x)]
fn f(x: f64, m: &Model) -> f64 {
    m.scale(x) * x
}

fn main() {}
