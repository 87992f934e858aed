use autodiff::grad;

#[grad]
fn total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i];
    }
    s
}

#[grad]
fn f(x: &[f64]) -> f64 {
    total(&x[1..])
}

fn main() {}
