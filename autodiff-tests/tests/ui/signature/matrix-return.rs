use autodiff::grad;

// A matrix is not an output: the helper says how to return it, and the caller that assigns
// its result to a matrix says so too (not that it reads the array with too many indices).
#[grad]
fn mat_mul(a: &[[f64; 2]; 2], b: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..2 {
                c[i][j] += a[i][k] * b[k][j];
            }
        }
    }
    c
}

#[grad(q)]
fn trace_predicted(q: f64, p0: &[[f64; 2]; 2]) -> f64 {
    let f = [[1.0, 1.0], [0.0, 1.0]];
    let mut p = *p0;
    p = mat_mul(&f, &p);
    p[0][0] + p[1][1] + q * p[0][1]
}

fn main() {}
