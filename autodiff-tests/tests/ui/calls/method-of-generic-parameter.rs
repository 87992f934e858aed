// A method of a value whose type is a type parameter: its derivative is written per type, beside
// the method, and a trait bound does not provide it.
use autodiff::grad;

pub trait Family {
    fn unit_nll(&self, y: f64, mu: f64) -> f64;
}

pub struct Poisson;

#[grad(mu)]
impl Family for Poisson {
    fn unit_nll(&self, y: f64, mu: f64) -> f64 {
        mu - y * mu.ln()
    }
}

#[grad(eta)]
fn glm_nll<F: Family>(eta: f64, fam: &F, y: f64) -> f64 {
    fam.unit_nll(y, eta.exp())
}

#[grad(eta)]
fn glm_nll_impl(eta: f64, fam: &impl Family, y: f64) -> f64 {
    fam.unit_nll(y, eta.exp())
}

fn main() {
    let _ = glm_nll_grad(0.1, &Poisson, 2.0);
    let _ = glm_nll_impl_grad(0.1, &Poisson, 2.0);
}
