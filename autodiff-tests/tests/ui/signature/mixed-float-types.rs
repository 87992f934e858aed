use autodiff::grad;

#[grad]
fn f(x: f32, y: f64) -> f64 {
    x as f64 * y
}

fn main() {}
