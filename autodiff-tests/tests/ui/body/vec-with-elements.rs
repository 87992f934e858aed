use autodiff::grad;

#[grad]
fn f(x: f64, y: f64) -> f64 {
    let v = vec![x, y];
    v[0] * v[1]
}

fn main() {}
