// A helper that writes its result through a `&mut` argument (a Stan-style `target +=`; probe:
// probabilistic programs): the message says to return the value instead.
use autodiff::grad;

fn add_normal(target: &mut f64, x: f64, mu: f64, sigma: f64) {
    let z = (x - mu) / sigma;
    *target += -0.5 * z * z - sigma.ln();
}

#[grad]
fn log_density(theta: &[f64], y: &[f64]) -> f64 {
    let mut target = 0.0;
    for &v in y {
        add_normal(&mut target, v, theta[0], theta[1].exp());
    }
    target
}

fn main() {}
