use autodiff::grad;

const ORIGIN: [f64; 2] = [0.5, 0.0];

#[grad]
fn walk(q: &[f64]) -> f64 {
    let mut p = ORIGIN;
    for &th in q {
        p[0] += th.cos();
        p[1] += th.sin();
    }
    p[0] * p[1]
}

fn main() {}
