use autodiff::grad;

// A matrix of a const-generic size: `[f64; N * N]` is not stable Rust, so the advice is a
// `Vec` of the elements.
#[grad]
fn scaled<const N: usize>(a: &[[f64; N]; N], s: f64) -> [[f64; N]; N] {
    let mut out = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..N {
            out[i][j] = a[i][j] * s;
        }
    }
    out
}

fn main() {}
