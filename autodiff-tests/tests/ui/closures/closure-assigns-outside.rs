use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |v: f64| total += v;
    add(x);
    add(x * x);
    total
}

fn main() {}
