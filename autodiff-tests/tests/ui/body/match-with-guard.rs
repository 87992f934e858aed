use autodiff::grad;

#[grad]
fn f(x: f64, k: usize) -> f64 {
    match k {
        0 => x,
        n if n > 3 => x * x,
        _ => 2.0 * x,
    }
}

fn main() {}
