use autodiff::grad;

#[grad]
fn scaled(x: &[f64; 2], s: f64) -> [f64; 2] {
    for v in x {
        if *v > s {
            return [x[0] * s, x[1] * s];
        }
    }
    let y = x[0] * x[1];
    [y, y]
}

#[grad]
fn total(x: &[f64; 2]) -> [f64; 2] {
    let s = x[0] + x[1];
    s
}

fn main() {}
