use autodiff::grad;

#[grad]
fn safe_ln(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err("not positive".into());
    }
    Ok(x.ln())
}

// The value of a fallible call taken apart by `match`.
#[grad]
fn doubled(x: f64) -> f64 {
    match safe_ln(x) {
        Ok(v) => v * 2.0,
        Err(_) => 0.0,
    }
}

fn main() {}
