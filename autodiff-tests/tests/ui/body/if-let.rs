// `if let` on data (`if let Some(s) = scale`) is read as written, and on an element or a
// reduction of a differentiated array (`x.last()`, `.reduce(f64::max)`) the element is read
// where it is there; on a call of differentiated values, the call's value where it succeeds,
// through the callee's `_adjoint`, which a plain function lacks.
use autodiff::grad;

fn checked_ln(v: f64) -> Option<f64> {
    (v > 0.0).then(|| v.ln())
}

#[grad]
fn log_or_zero(x: &[f64]) -> f64 {
    if let Some(l) = checked_ln(x[0]) {
        l
    } else {
        0.0
    }
}

fn main() {}
