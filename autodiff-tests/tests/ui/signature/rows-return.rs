use autodiff::grad;

// Rows of a length known only at run time are not an output: a matrix of a constant size
// or the elements flat are.
#[grad]
fn scaled_rows(pts: &[[f64; 3]], s: f64) -> Vec<[f64; 3]> {
    pts.iter().map(|p| [p[0] * s, p[1] * s, p[2] * s]).collect()
}

fn main() {}
