//! Powell's singular function: `chunks_exact(4)` and a tuple let per block.

use crate::check::Case;
use autodiff::grad;

/// f(x) = Σ_blocks (a + 10b)² + 5(c - d)² + (b - 2c)⁴ + 10(a - d)⁴
#[grad]
pub fn powell(x: &[f64]) -> f64 {
    assert_eq!(x.len() % 4, 0, "Powell's function works on blocks of four");
    let mut f = 0.0;
    for q in x.chunks_exact(4) {
        let (a, b, c, d) = (q[0], q[1], q[2], q[3]);
        f += (a + 10.0 * b).powi(2)
            + 5.0 * (c - d).powi(2)
            + (b - 2.0 * c).powi(4)
            + 10.0 * (a - d).powi(4);
    }
    f
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.chunks(4)
        .flat_map(|q| {
            let (a, b, c, d) = (q[0], q[1], q[2], q[3]);
            let (u, v, w, z) = (a + 10.0 * b, c - d, b - 2.0 * c, a - d);
            [
                2.0 * u + 40.0 * z.powi(3),
                20.0 * u + 4.0 * w.powi(3),
                10.0 * v - 8.0 * w.powi(3),
                -10.0 * v - 40.0 * z.powi(3),
            ]
        })
        .collect()
}

fn case() -> Case {
    Case::new("powell", 8, -4.0, 5.0)
}

#[test]
fn reference() {
    case().reference(powell, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(powell, hand, powell_grad, |x, d, acc| {
        powell_adjoint(x, d, acc)
    });
}
