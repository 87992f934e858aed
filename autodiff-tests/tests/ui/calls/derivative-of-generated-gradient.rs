// A generated gradient called on differentiated values (MAML: inner gradient steps inside
// the outer objective): a derivative of a derivative, which `#[grad]` computes only as
// `modes(hvp)`. Said once per call, naming the function and the two ways out.
use autodiff::grad;

#[grad(w)]
pub fn inner_loss(w: f64, x: f64) -> f64 {
    (w * x - 1.0).powi(2) + 0.1 * w * w
}

#[grad]
pub fn unrolled(w0: f64, x: f64) -> f64 {
    let mut w = w0;
    for _ in 0..5 {
        let (_, g) = inner_loss_grad(w, x);
        w -= 0.1 * g;
    }
    w * w
}

#[grad]
pub fn one_step(w: f64, x: f64) -> f64 {
    let g = inner_loss_grad(w, x).1;
    (w - 0.1 * g).powi(2)
}

fn main() {}
