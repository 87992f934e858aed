// A `Result` of a vector: not supported yet; the message says what is (a fallible float) and
// what to do instead.
use autodiff::grad;

#[grad]
fn normalized(x: &[f64; 2]) -> Result<[f64; 2], String> {
    let n = (x[0] * x[0] + x[1] * x[1]).sqrt();
    if n == 0.0 {
        return Err("zero vector".to_string());
    }
    Ok([x[0] / n, x[1] / n])
}

fn main() {}
