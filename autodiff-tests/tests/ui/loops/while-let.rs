use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    let mut k = 0;
    while let 0..=2 = k {
        y = y * x;
        k += 1;
    }
    y
}

fn main() {}
