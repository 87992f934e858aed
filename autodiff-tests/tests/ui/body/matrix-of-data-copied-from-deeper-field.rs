// A matrix copied out of a data struct's field of matrices (a mesh element's rest-shape
// inverse), read in a loop the lowering goes over twice: the message (once reported as an
// internal error) says to borrow it.
use autodiff::grad;

pub struct Element {
    pub dm_inv: Vec<[[f64; 2]; 2]>,
}

#[grad(x)]
pub fn energy(x: &[f64; 2], el: &Element) -> f64 {
    let mut e = 0.0;
    for t in 0..el.dm_inv.len() {
        let b = el.dm_inv[t];
        let mut f = [0.0; 2];
        for j in 0..2 {
            f[j] = x[j] * b[0][j];
        }
        e += f[0];
    }
    e
}

fn main() {}
