use autodiff::grad;

#[grad]
fn f(x: f64) -> Option<f64> {
    let positive = (x > 0.0).then_some(x)?;
    Some(positive * 2.0)
}

fn main() {}
