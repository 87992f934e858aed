use autodiff::grad;

#[grad]
fn leaves_early(x: f64, w: &[f64]) -> f64 {
    let mut y = x;
    #[checkpoint]
    for t in 0..w.len() {
        if y > 100.0 {
            break;
        }
        y = y.sin() * w[t] + y;
    }
    y
}

#[grad]
fn after_return(x: f64, w: &[f64]) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    let mut y = x;
    #[checkpoint]
    for t in 0..w.len() {
        y = y.sin() * w[t];
    }
    y
}

fn main() {}
