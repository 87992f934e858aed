use autodiff::grad;

#[grad]
fn f(x: &[f64], y: &[f64]) -> f64 {
    x.iter().scan(0.0, |s, &v| {
        *s += v;
        Some(*s)
    }).zip(y).map(|(a, b)| a * b).sum()
}

fn main() {}
