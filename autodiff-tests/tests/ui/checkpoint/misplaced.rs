use autodiff::grad;

#[grad]
fn f(x: f64, w: &[f64]) -> f64 {
    let mut y = x;
    for _ in 0..2 {
        #[checkpoint]
        for t in 0..w.len() {
            y = y.sin() * w[t];
        }
    }
    #[checkpoint]
    while y > 10.0 {
        y *= 0.5;
    }
    #[checkpoint]
    let z = y * 2.0;
    #[checkpoint(10)]
    for t in 0..w.len() {
        y += z * w[t];
    }
    y
}

fn main() {}
