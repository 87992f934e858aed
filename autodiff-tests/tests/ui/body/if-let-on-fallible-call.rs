use autodiff::grad;

#[grad]
fn safe_ln(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err("neg".into());
    }
    Ok(x.ln())
}

#[grad]
fn let_else(x: f64) -> Result<f64, String> {
    let Ok(v) = safe_ln(x) else {
        return Err("ln".into());
    };
    Ok(v * x)
}

#[grad]
fn if_let(x: f64) -> f64 {
    if let Ok(v) = safe_ln(x) {
        v * x
    } else {
        0.0
    }
}

fn main() {}
