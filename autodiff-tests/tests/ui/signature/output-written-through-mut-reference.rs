// An ODE right-hand side written into `&mut` output (ode_solvers' `System::system`): what
// `#[grad]` differentiates is what the function returns.
use autodiff::grad;

#[grad]
pub fn system(_t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
    dy[0] = -0.04 * y[0] + 1.0e4 * y[1] * y[2];
    dy[1] = 0.04 * y[0] - 1.0e4 * y[1] * y[2] - 3.0e7 * y[1] * y[1];
    dy[2] = 3.0e7 * y[1] * y[1];
}

fn main() {}
