// `max_by` after a `filter`, its `None` turned into an error for `?`: which items the filter
// keeps is not known before the loop; the message says to write the loop (`.unwrap()` and
// `.unwrap_or(d)` are supported).
use autodiff::grad;

#[grad]
fn largest_positive(x: &[f64]) -> Result<f64, String> {
    let best = x
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .max_by(|a, b| a.total_cmp(b))
        .ok_or("no positive value")?;
    Ok(best)
}

fn main() {}
