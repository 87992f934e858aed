use autodiff::grad;

#[grad]
fn dot(u: &[f64; 2], v: &[f64; 2]) -> f64 {
    u[0] * v[0] + u[1] * v[1]
}

#[grad]
fn f(w: &[f64; 2], x: f64) -> f64 {
    let mut h = [0.0; 2];
    h[0] = x;
    h[1] = x * x;
    let a = dot(&h, w);
    h[0] = 2.0 * x;
    a + h[0]
}

fn main() {}
