use autodiff::grad;

// An adaptor #[grad] does not lower: the message lists those it does.
#[grad]
fn f(x: &[f64]) -> f64 {
    x.iter().skip_while(|v| **v < 0.0).map(|v| v * v).sum()
}

// A position adaptor after a `scan` (whose items are no longer positions of `x`).
#[grad]
fn g(x: &[f64], y: &[f64]) -> f64 {
    x.iter()
        .scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        })
        .zip(y)
        .map(|(a, b)| a * b)
        .sum()
}

fn main() {}
