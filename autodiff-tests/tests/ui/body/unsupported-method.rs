use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    x.div_euclid(3.0) * 2.0
}

fn main() {}
