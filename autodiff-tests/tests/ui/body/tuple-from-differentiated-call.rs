use autodiff::grad;

/// Peng-Robinson's parameters, returned as a tuple (ushma's equations of state), without
/// `#[grad]`: its `_adjoint` is missing, reported at the call.
pub fn params(tc: f64, pc: f64, omega: f64) -> (f64, f64, f64) {
    let a = 0.45724 * 8.314 * 8.314 * tc * tc / pc;
    let b = 0.07780 * 8.314 * tc / pc;
    let kappa = 0.37464 + 1.54226 * omega - 0.26992 * omega * omega;
    (a, b, kappa)
}

#[grad]
fn pressure(temperature: f64, tc: f64, pc: f64, omega: f64) -> f64 {
    let (a, b, kappa) = params(tc, pc, omega);
    8.314 * temperature / (1.0 - b) - a * kappa
}

fn main() {}
