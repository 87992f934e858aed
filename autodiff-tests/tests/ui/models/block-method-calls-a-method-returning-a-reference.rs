// A method of a `#[grad]` block that calls one the block leaves as written, returning a
// reference into `self` (combustion's NASA7 polynomials): its gradient is not there.
#![allow(non_upper_case_globals)]
use autodiff::grad;

pub struct Nasa7(pub [[f64; 7]; 2]);

#[grad]
impl Nasa7 {
    const T_SPLIT: f64 = 1000.0;

    pub fn coefficients(&self, t: f64) -> &[f64; 7] {
        if t < Self::T_SPLIT {
            &self.0[0]
        } else {
            &self.0[1]
        }
    }

    pub fn specific_heat(&self, t: f64) -> f64 {
        let a = self.coefficients(t);
        a[0] + a[1] * t + a[2] * t * t + a[3] * t * t * t + a[4] * t * t * t * t
    }
}

fn main() {}
