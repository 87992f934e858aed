// A local closure called in code kept as written (a comparator) is written out there; one
// whose capture a later `let` shadows would read the new value, so it is reported.
use autodiff::grad;

#[grad]
fn nearest(x: &[f64], s: f64) -> f64 {
    let f = |i: usize| s * x[i] * x[i];
    let s = 2.0 * s;
    let k = (0..x.len()).min_by(|&a, &b| f(a).total_cmp(&f(b))).unwrap();
    s * x[k]
}

fn main() {}
