//! The idiomatic-Rust corpus: objectives, losses, special functions and distributions written
//! the way numeric crates write them (iterator chains, `FromPrimitive` constants,
//! destructuring, const tables, asserts, generic bounds, trait impls on parameter structs),
//! with `#[grad]` added and nothing else changed.
//!
//! Each case in `tests/corpus/cases/<family>/` holds the function exactly as written, a
//! gradient derived by hand, a `reference` test (hand gradient vs finite differences) and a
//! `generated` test (`NAME_grad` and `NAME_adjoint` vs the hand gradient), all through the
//! shared helper in `tests/corpus/check.rs`; multi-parameter cases also call the adjoint with
//! `Const` shadows, generic ones also run at `f32`. The distributions (`cases/distributions/`:
//! a struct of parameters, trait impls whose methods are differentiated) are also checked
//! against values and gradients computed with mpmath by `cases/distributions/references.py`.
//!
//! Only the cases `#[grad]` accepts today are listed below, so `cargo test` stays green; the
//! others stay in the tree as the to-do list. The share that compiles, and the first error of
//! each case that does not, is printed by
//!
//! ```text
//! cargo test -p autodiff-tests --test corpus -- --ignored --nocapture share
//! ```
#![allow(clippy::needless_range_loop)]

#[path = "common/mod.rs"]
mod common;

#[path = "corpus/check.rs"]
mod check;

#[path = "corpus/share.rs"]
mod share;

// ---- optimization test problems ----

#[path = "corpus/cases/optimization/ackley.rs"]
mod ackley;
#[path = "corpus/cases/optimization/beale.rs"]
mod beale;
#[path = "corpus/cases/optimization/booth.rs"]
mod booth;
#[path = "corpus/cases/optimization/dixon_price.rs"]
mod dixon_price;
#[path = "corpus/cases/optimization/griewank.rs"]
mod griewank;
#[path = "corpus/cases/optimization/himmelblau.rs"]
mod himmelblau;
#[path = "corpus/cases/optimization/levy.rs"]
mod levy;
#[path = "corpus/cases/optimization/michalewicz.rs"]
mod michalewicz;
#[path = "corpus/cases/optimization/powell.rs"]
mod powell;
#[path = "corpus/cases/optimization/rastrigin.rs"]
mod rastrigin;
#[path = "corpus/cases/optimization/rosenbrock.rs"]
mod rosenbrock;
#[path = "corpus/cases/optimization/rosenbrock_chained.rs"]
mod rosenbrock_chained;
#[path = "corpus/cases/optimization/rosenbrock_pairwise.rs"]
mod rosenbrock_pairwise;
#[path = "corpus/cases/optimization/sphere.rs"]
mod sphere;
#[path = "corpus/cases/optimization/styblinski_tang.rs"]
mod styblinski_tang;
#[path = "corpus/cases/optimization/sum_of_powers.rs"]
mod sum_of_powers;
#[path = "corpus/cases/optimization/trid.rs"]
mod trid;
#[path = "corpus/cases/optimization/zakharov.rs"]
mod zakharov;

// ---- statistics: log-densities and losses ----

#[path = "corpus/cases/statistics/binary_cross_entropy.rs"]
mod binary_cross_entropy;
#[path = "corpus/cases/statistics/cauchy_log_pdf.rs"]
mod cauchy_log_pdf;
#[path = "corpus/cases/statistics/gamma_log_likelihood.rs"]
mod gamma_log_likelihood;
#[path = "corpus/cases/statistics/gaussian_kl.rs"]
mod gaussian_kl;
#[path = "corpus/cases/statistics/huber.rs"]
mod huber;
#[path = "corpus/cases/statistics/log_cosh.rs"]
mod log_cosh;
#[path = "corpus/cases/statistics/log_sum_exp.rs"]
mod log_sum_exp;
#[path = "corpus/cases/statistics/logistic_log_pdf.rs"]
mod logistic_log_pdf;
#[path = "corpus/cases/statistics/logistic_regression_nll.rs"]
mod logistic_regression_nll;
#[path = "corpus/cases/statistics/normal_log_likelihood.rs"]
mod normal_log_likelihood;
#[path = "corpus/cases/statistics/pinball.rs"]
mod pinball;
#[path = "corpus/cases/statistics/poisson_nll.rs"]
mod poisson_nll;
#[path = "corpus/cases/statistics/softmax_cross_entropy.rs"]
mod softmax_cross_entropy;
#[path = "corpus/cases/statistics/weighted_least_squares.rs"]
mod weighted_least_squares;

// Not accepted by #[grad] yet (first rejected construct):
//   statistics/student_t_log_likelihood.rs:33:45  call to plain `ln_gamma(nu)` on a float parameter needs `ln_gamma_adjoint`

// ---- special functions ----

#[path = "corpus/cases/special/bessel_i0.rs"]
mod bessel_i0;
#[path = "corpus/cases/special/chebyshev.rs"]
mod chebyshev;
#[path = "corpus/cases/special/digamma.rs"]
mod digamma;
#[path = "corpus/cases/special/erf_abramowitz_stegun.rs"]
mod erf_abramowitz_stegun;
#[path = "corpus/cases/special/horner.rs"]
mod horner;
#[path = "corpus/cases/special/lambert_w.rs"]
mod lambert_w;
#[path = "corpus/cases/special/ln_gamma_lanczos.rs"]
mod ln_gamma_lanczos;
#[path = "corpus/cases/special/ln_gamma_stirling.rs"]
mod ln_gamma_stirling;
#[path = "corpus/cases/special/sinc.rs"]
mod sinc;
#[path = "corpus/cases/special/softplus.rs"]
mod softplus;

// ---- distributions: log-densities and CDFs written as trait methods ----

#[path = "corpus/cases/distributions/beta.rs"]
mod beta;
#[path = "corpus/cases/distributions/cauchy.rs"]
mod cauchy;
#[path = "corpus/cases/distributions/exponential.rs"]
mod exponential;
#[path = "corpus/cases/distributions/gamma.rs"]
mod gamma;
#[path = "corpus/cases/distributions/laplace.rs"]
mod laplace;
#[path = "corpus/cases/distributions/log_normal.rs"]
mod log_normal;
#[path = "corpus/cases/distributions/logistic.rs"]
mod logistic;
#[path = "corpus/cases/distributions/normal.rs"]
mod normal;
#[path = "corpus/cases/distributions/students_t.rs"]
mod students_t;
#[path = "corpus/cases/distributions/weibull.rs"]
mod weibull;

// ---- physics: energies and Lagrangians ----

#[path = "corpus/cases/physics/coulomb_energy.rs"]
mod coulomb_energy;
#[path = "corpus/cases/physics/double_pendulum.rs"]
mod double_pendulum;
#[path = "corpus/cases/physics/gravitational_potential.rs"]
mod gravitational_potential;
#[path = "corpus/cases/physics/lennard_jones.rs"]
mod lennard_jones;
#[path = "corpus/cases/physics/oscillator_lagrangian.rs"]
mod oscillator_lagrangian;
#[path = "corpus/cases/physics/pendulum_energy.rs"]
mod pendulum_energy;
#[path = "corpus/cases/physics/spring_chain.rs"]
mod spring_chain;
#[path = "corpus/cases/physics/torsion_energy.rs"]
mod torsion_energy;
