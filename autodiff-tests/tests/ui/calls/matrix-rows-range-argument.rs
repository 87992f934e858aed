// A slice of an array or of a row is passed to a call (`dot(&x[1..], y)`, `&w[i][1..]`); a
// range of a matrix's rows is not.
use autodiff::grad;

fn total(rows: &[[f64; 2]]) -> f64 {
    rows.iter().map(|r| r[0] + r[1]).sum()
}

#[grad]
fn tail_total(w: &[[f64; 2]; 3]) -> f64 {
    total(&w[1..])
}

fn main() {}
