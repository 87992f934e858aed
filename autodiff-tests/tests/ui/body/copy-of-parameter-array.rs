use autodiff::grad;

#[grad]
fn f(b: &[f64; 3], x: f64) -> f64 {
    let mut z = *b;
    for j in 0..3 {
        z[j] += x;
    }
    z[0] * z[1] * z[2]
}

fn main() {}
