//! Total energy of a simple pendulum: a constant, a tuple `let` of physical parameters.

use crate::check::Case;
use autodiff::{grad, Const};

/// Standard gravity, m/s².
const G: f64 = 9.81;

/// E(θ, ω) = ½ m l² ω² + m g l (1 - cos θ)
#[grad]
pub fn pendulum_energy(theta: f64, omega: f64) -> f64 {
    let (m, l) = (1.5, 0.8);
    0.5 * m * l * l * omega * omega + m * G * l * (1.0 - theta.cos())
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (m, l) = (1.5, 0.8);
    vec![m * G * l * p[0].sin(), m * l * l * p[1]]
}

fn case() -> Case {
    Case::new("pendulum_energy", 2, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|p| pendulum_energy(p[0], p[1]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| pendulum_energy(p[0], p[1]),
        hand,
        |p| {
            let (v, (a, b)) = pendulum_energy_grad(p[0], p[1]);
            (v, vec![a, b])
        },
        |p, d, acc| {
            let [a, b] = acc else { unreachable!() };
            pendulum_energy_adjoint(p[0], p[1], d, a, b)
        },
    );
}

#[test]
fn generated_velocity_only() {
    case().partially_active(hand, &[false, true], |p, d, acc| {
        pendulum_energy_adjoint(p[0], p[1], d, Const, &mut acc[1])
    });
}
