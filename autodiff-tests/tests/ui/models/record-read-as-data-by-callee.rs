use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Normal {
    mean: f64,
    sd: f64,
}

impl Normal {
    // `self` is data here: only the derivative in `x` is taken.
    #[grad(x)]
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.sd;
        -0.5 * z * z - self.sd.ln()
    }
}

#[grad(mu)]
fn nll(mu: f64, x: f64) -> f64 {
    let dist = Normal { mean: mu, sd: 1.0 };
    -dist.ln_pdf(x)
}

fn main() {}
