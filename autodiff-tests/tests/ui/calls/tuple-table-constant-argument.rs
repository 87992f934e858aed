use autodiff::grad;

const IN: [(i32, f64); 2] = [(1, 0.5), (2, 0.25)];

#[grad(x)]
fn series(x: f64, c: &[(i32, f64)]) -> f64 {
    let mut v = 0.0;
    for k in 0..c.len() {
        v += c[k].1 * x.powi(c[k].0);
    }
    v
}

// A constant table of tuples passed as it is: #[grad] cannot see its type and takes it for
// float data (the note says how to bind it: `let t: &[(i32, f64)] = &IN;`).
#[grad]
fn series_of_table(x: f64) -> f64 {
    series(x, &IN)
}

fn main() {}
