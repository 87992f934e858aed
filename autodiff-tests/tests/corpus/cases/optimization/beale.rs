//! Beale: `let [x, y] = *p;` and a const table walked with `.enumerate()`.

use crate::check::Case;
use autodiff::grad;

const C: [f64; 3] = [1.5, 2.25, 2.625];

/// f(x, y) = Σ_{i=1..3} (c_i - x + x yⁱ)²
#[grad]
pub fn beale(p: &[f64; 2]) -> f64 {
    let [x, y] = *p;
    C.iter()
        .enumerate()
        .map(|(i, &c)| (c - x + x * y.powi(i as i32 + 1)).powi(2))
        .sum()
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (x, y) = (p[0], p[1]);
    let mut g = vec![0.0, 0.0];
    for (k, c) in C.iter().enumerate() {
        let i = k as i32 + 1;
        let r = c - x + x * y.powi(i);
        g[0] += 2.0 * r * (y.powi(i) - 1.0);
        g[1] += 2.0 * r * x * f64::from(i) * y.powi(i - 1);
    }
    g
}

fn case() -> Case {
    Case::new("beale", 2, -4.5, 4.5)
}

#[test]
fn reference() {
    case().reference(|p| beale(&[p[0], p[1]]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| beale(&[p[0], p[1]]),
        hand,
        |p| {
            let (v, g) = beale_grad(&[p[0], p[1]]);
            (v, g.to_vec())
        },
        |p, d, acc| beale_adjoint(&[p[0], p[1]], d, <&mut [f64; 2]>::try_from(acc).unwrap()),
    );
}
