use autodiff::grad;

#[grad]
fn doubled(x: &[f64; 3]) -> [f64; 3] {
    [x[0] * 2.0, x[1], x[2]]
}

// The length of what `doubled` returns is not written here.
#[grad]
fn squares(x: &[f64; 3]) -> f64 {
    let h = doubled(x);
    let y = h.map(|v| v * v);
    y[0] + y[1]
}

fn main() {}
