// A right-hand side passed as a function pointer, its array result bound to a local (a
// Runge-Kutta stage): no `_adjoint` can be written for a parameter, so the error says to
// call a named `#[grad]` function, not that `rhs_adjoint` is missing.
use autodiff::grad;

#[grad(state)]
pub fn euler_step(rhs: fn(f64, &[f64; 2]) -> [f64; 2], dt: f64, t: f64, state: &[f64; 2]) -> f64 {
    let k = rhs(t, state);
    state[0] + dt * k[0]
}

fn main() {}
