use autodiff::grad;

// Finance helpers take the rate by reference (`rate: &f64`); `#[grad]` differentiates
// numbers taken by value.
#[grad(rate)]
pub fn growth(rate: &f64, nper: f64) -> f64 {
    (1.0 + rate).powf(nper)
}

fn main() {}
