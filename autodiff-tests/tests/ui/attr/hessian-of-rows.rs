use autodiff::grad;

// One parameter, but of rows: its Hessian would be a matrix of matrices.
#[grad(modes(hessian))]
fn polygon_area(pts: &[[f64; 2]]) -> f64 {
    let n = pts.len();
    let mut s = 0.0;
    for i in 0..n {
        let j = (i + 1) % n;
        s += pts[i][0] * pts[j][1] - pts[j][0] * pts[i][1];
    }
    0.5 * s
}

fn main() {}
