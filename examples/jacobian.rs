//! The lecture's Jacobian of F: R³ -> R⁴, F(x) = (x1, 5 x3, 4 x2² − 2 x3, x3 sin x1), from
//! `F_jacobian` next to central finite differences; and one Jacobian-vector product from
//! forward mode (`F_tangent`), which is J v without forming J.
//!
//! ```text
//! cargo run --example jacobian
//! ```

use autodiff::grad;

/// F: R³ -> R⁴. "The Jacobian need not be square": it is 4 x 3.
#[grad(modes(tangent, jacobian))]
fn f(x: &[f64; 3]) -> [f64; 4] {
    [
        x[0],
        5.0 * x[2],
        4.0 * x[1] * x[1] - 2.0 * x[2],
        x[2] * x[0].sin(),
    ]
}

fn main() {
    let x = [1.0, 2.0, 3.0];
    // 3 inputs, 4 outputs: f_jacobian makes 3 forward-mode calls (one per input) rather
    // than 4 reverse-mode ones (one per output).
    let (value, j) = f_jacobian(&x);
    println!("F{x:?} = {value:?}\n");
    println!("J = ∂F/∂x (row i: the gradient of F_i), analytic | central differences");
    let h = 1e-6;
    for (i, row) in j.iter().enumerate() {
        let fd: Vec<f64> = (0..3)
            .map(|k| {
                let (mut up, mut down) = (x, x);
                up[k] += h;
                down[k] -= h;
                (f(&up)[i] - f(&down)[i]) / (2.0 * h)
            })
            .collect();
        println!("  {} | {}", fmt(row), fmt(&fd));
    }
    // The lecture's closed form.
    let expected = [
        [1.0, 0.0, 0.0],
        [0.0, 0.0, 5.0],
        [0.0, 8.0 * x[1], -2.0],
        [x[2] * x[0].cos(), 0.0, x[0].sin()],
    ];
    assert_eq!(j, expected);
    println!("\nequal to [[1, 0, 0], [0, 0, 5], [0, 8 x2, -2], [x3 cos x1, 0, sin x1]]");

    // Forward mode: the derivative along v in one sweep.
    let v = [1.0, -1.0, 0.5];
    let (_, jv) = f_tangent(&x, &v);
    println!("\nJ v for v = {v:?}: {}", fmt(&jv));
}

fn fmt(row: &[f64]) -> String {
    let cells: Vec<String> = row.iter().map(|v| format!("{v:9.5}")).collect();
    format!("[{}]", cells.join(", "))
}
