use autodiff::grad;

#[grad]
fn f(x: f64, scale: Option<f64>) -> f64 {
    let s = scale?;
    x * s
}

fn main() {}
