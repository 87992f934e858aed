use autodiff::grad;

fn quat_to_matrix(q: &[f64; 4]) -> [[f64; 3]; 3] {
    let (w, x) = (q[0], q[1]);
    [[w, -x, 0.0], [x, w, 0.0], [0.0, 0.0, 1.0]]
}

// A matrix a plain function returns, bound without its type: its rows are not known arrays.
#[grad]
fn mat_loss(q: &[f64; 4], target: &[[f64; 3]; 3]) -> f64 {
    let m = quat_to_matrix(q);
    let mut s = 0.0;
    for (row, trow) in m.iter().zip(target.iter()) {
        for (a, b) in row.iter().zip(trow.iter()) {
            s += (a - b) * (a - b);
        }
    }
    s
}

fn main() {}
