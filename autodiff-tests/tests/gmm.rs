//! The ADBench GMM objective: value and all 18 gradient entries of ADBench's `test.txt`
//! instance as its own unit tests list them, and finite differences on the larger inputs.

#![allow(clippy::excessive_precision)] // ADBench's reference values, as published
mod common;

#[path = "common/gmm.rs"]
mod gmm;

use common::assert_matches_fd;

/// ADBench's unit tests (GmmTests, every language binding): objective and gradient of
/// data/gmm/test.txt, gradient order alphas, means, icf.
const OBJECTIVE: f64 = 8.07380408004975791;
const GRADIENT: [f64; 18] = [
    1.08662855508652456e-01,
    -7.41270039523898472e-01,
    6.32607184015246071e-01,
    1.11692576532787013e+00,
    1.63333013551455269e-01,
    -2.19989824071193142e-02,
    2.27778292254236098e-01,
    1.20963025612832187e+00,
    -6.06375920733956339e-02,
    2.58529994051162237e+00,
    1.12632694524213789e-01,
    3.85744309849611777e-01,
    7.35180573182305508e-02,
    5.41836362715595232e+00,
    -3.21494409677446469e-01,
    1.71892309775004937e+00,
    8.60091090790866875e-01,
    -9.94640930466322848e-01,
];

fn objective_of(input: &gmm::GmmInput, params: &[f64]) -> f64 {
    let (k, d) = (input.k, input.d);
    let (alphas, rest) = params.split_at(k);
    let (means, icf) = rest.split_at(k * d);
    gmm::gmm_objective(
        d,
        k,
        input.n,
        alphas,
        means,
        icf,
        &input.x,
        input.gamma,
        input.m,
    )
}

/// The value and the gradient in ADBench's order: alphas, means, icf.
fn value_and_gradient(input: &gmm::GmmInput) -> (f64, Vec<f64>) {
    let (value, (d_alphas, d_means, d_icf)) = gmm::gmm_objective_grad(
        input.d,
        input.k,
        input.n,
        &input.alphas,
        &input.means,
        &input.icf,
        &input.x,
        input.gamma,
        input.m,
    );
    let gradient = d_alphas
        .iter()
        .chain(&d_means)
        .chain(&d_icf)
        .copied()
        .collect();
    (value, gradient)
}

#[test]
fn adbench_test_instance_objective_and_gradient() {
    let input = gmm::parse(include_str!("../../data/adbench/test.txt"));
    let (value, gradient) = value_and_gradient(&input);
    assert!(
        (value - OBJECTIVE).abs() < 1e-8,
        "objective {value} vs {OBJECTIVE}"
    );
    assert_eq!(gradient.len(), 18);
    for (i, (g, e)) in gradient.iter().zip(GRADIENT).enumerate() {
        assert!((g - e).abs() < 1e-8, "gradient[{i}]: {g} vs ADBench {e}");
    }
}

#[test]
fn d2_k5_instance_against_finite_differences() {
    let input = gmm::parse(include_str!("../../data/adbench/gmm_d2_K5.txt"));
    let (_, analytic) = value_and_gradient(&input);
    let point: Vec<f64> = input
        .alphas
        .iter()
        .chain(&input.means)
        .chain(&input.icf)
        .copied()
        .collect();
    assert_matches_fd(
        &|p: &[f64]| objective_of(&input, p),
        &point,
        &analytic,
        "gmm d2 K5",
    );
}
