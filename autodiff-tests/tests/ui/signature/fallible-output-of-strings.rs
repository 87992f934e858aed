// A fallible function whose success is not numbers: the message names what it succeeds with.
use autodiff::grad;

#[grad]
fn label(x: f64) -> Result<String, String> {
    if x < 0.0 {
        return Err("negative".into());
    }
    Ok(format!("{x}"))
}

fn main() {}
