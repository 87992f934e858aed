// What a call returns read with two indices (an outer product returned as a matrix): a
// `#[grad]` function returns a float or a vector, so the result is a vector here; the
// message says to return the elements row after row.
use autodiff::grad;

fn outer(a: &[f64; 2]) -> [[f64; 2]; 2] {
    [[a[0] * a[0], a[0] * a[1]], [a[1] * a[0], a[1] * a[1]]]
}

#[grad]
fn trace_of_outer(a: &[f64; 2]) -> f64 {
    let m = outer(a);
    m[0][0] + m[1][1]
}

fn main() {}
