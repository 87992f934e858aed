//! Lagrangian of a double pendulum: a `const` item inside the body, `let [..] = *state;`.

use crate::check::Case;
use autodiff::grad;

/// L(θ₁, θ₂, ω₁, ω₂) = T - V for two point masses on rigid massless rods
#[grad]
pub fn double_pendulum(state: &[f64; 4]) -> f64 {
    const G: f64 = 9.81;
    let (m1, m2, l1, l2) = (1.0, 0.5, 1.2, 0.7);
    let [t1, t2, w1, w2] = *state;
    let kinetic = 0.5 * (m1 + m2) * l1 * l1 * w1 * w1
        + 0.5 * m2 * l2 * l2 * w2 * w2
        + m2 * l1 * l2 * w1 * w2 * (t1 - t2).cos();
    let potential = -(m1 + m2) * G * l1 * t1.cos() - m2 * G * l2 * t2.cos();
    kinetic - potential
}

fn hand(s: &[f64]) -> Vec<f64> {
    const G: f64 = 9.81;
    let (m1, m2, l1, l2) = (1.0, 0.5, 1.2, 0.7);
    let (t1, t2, w1, w2) = (s[0], s[1], s[2], s[3]);
    let c = m2 * l1 * l2;
    vec![
        -c * w1 * w2 * (t1 - t2).sin() - (m1 + m2) * G * l1 * t1.sin(),
        c * w1 * w2 * (t1 - t2).sin() - m2 * G * l2 * t2.sin(),
        (m1 + m2) * l1 * l1 * w1 + c * w2 * (t1 - t2).cos(),
        m2 * l2 * l2 * w2 + c * w1 * (t1 - t2).cos(),
    ]
}

fn state(s: &[f64]) -> [f64; 4] {
    [s[0], s[1], s[2], s[3]]
}

fn case() -> Case {
    Case::new("double_pendulum", 4, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|s| double_pendulum(&state(s)), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |s| double_pendulum(&state(s)),
        hand,
        |s| {
            let (v, g) = double_pendulum_grad(&state(s));
            (v, g.to_vec())
        },
        |s, d, acc| double_pendulum_adjoint(&state(s), d, <&mut [f64; 4]>::try_from(acc).unwrap()),
    );
}
