use autodiff::grad;

#[grad]
fn safe_ln(x: f64) -> Option<f64> {
    if x <= 0.0 {
        None
    } else {
        Some(x.ln())
    }
}

// The `Option` a fallible call returns, bound to a local and taken apart later: the value is
// taken where the call is made.
#[grad]
fn ln_or(x: f64, y: f64) -> f64 {
    let o = safe_ln(x);
    o.unwrap_or(y * y) + x
}

fn main() {}
