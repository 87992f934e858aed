use autodiff::grad;

#[grad]
fn f(x: f64, act: &dyn Fn(f64) -> f64) -> f64 {
    act(x) * 2.0
}

fn main() {}
