use autodiff::grad;

#[grad]
fn safe_ln(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err("not positive".into());
    }
    Ok(x.ln())
}

// `Ok(v)` / `Err(_)` is the call tested, then its value; an error bound by the pattern
// would need the call's `Result` itself.
#[grad]
fn doubled(x: f64) -> f64 {
    match safe_ln(x) {
        Ok(v) => v * 2.0,
        Err(e) => e.len() as f64,
    }
}

fn main() {}
