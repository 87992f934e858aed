// A validating function that returns a tuple (Hardy-Weinberg frequencies): a fallible tuple
// is not supported yet, as a fallible vector is not.
use autodiff::grad;

#[grad]
pub fn hardy_weinberg(p: f64) -> Result<(f64, f64, f64), String> {
    if !(0.0..=1.0).contains(&p) {
        return Err("p must be in [0, 1]".into());
    }
    let q = 1.0 - p;
    Ok((p * p, 2.0 * p * q, q * q))
}

fn main() {}
