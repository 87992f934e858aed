//! The idiomatic-Rust corpus: objectives, losses and special functions written the way
//! numeric crates write them (iterator chains, `FromPrimitive` constants, destructuring,
//! const tables, asserts, generic bounds), with `#[grad]` added and nothing else changed.
//!
//! Each case in `tests/corpus/cases/<family>/` holds the function exactly as written, a
//! gradient derived by hand, a `reference` test (hand gradient vs finite differences) and a
//! `generated` test (`NAME_grad` and `NAME_adjoint` vs the hand gradient), both through the
//! shared helper in `tests/corpus/check.rs`.
//!
//! Only the cases `#[grad]` accepts today are listed below, so `cargo test` stays green; the
//! others stay in the tree as the to-do list. The share that compiles, and the first error of
//! each case that does not, is printed by
//!
//! ```text
//! cargo test --test corpus -- --ignored --nocapture share
//! ```
#![allow(clippy::needless_range_loop)]

#[path = "common/mod.rs"]
mod common;

#[path = "corpus/check.rs"]
mod check;

#[path = "corpus/share.rs"]
mod share;

// ---- optimization test problems ----

// Not accepted by #[grad] yet (first rejected construct):
//   optimization/ackley.rs:10:31  `T::from_f64(c).unwrap()`
//   optimization/beale.rs:11:9  array destructuring `let [..] = ..`
//   optimization/booth.rs:9:9  array destructuring `let [..] = ..`
//   optimization/dixon_price.rs:14:17  turbofish `.sum::<f64>()`
//   optimization/griewank.rs:9:47  turbofish `.sum::<f64>()`
//   optimization/himmelblau.rs:9:14  a local closure
//   optimization/levy.rs:11:66  iterator `.collect()` outside a `for`
//   optimization/michalewicz.rs:16:13  turbofish `.sum::<f64>()`
//   optimization/powell.rs:9:5  `assert_eq!` in the body
//   optimization/rastrigin.rs:15:17  turbofish `.sum::<f64>()`
//   optimization/rosenbrock.rs:9:5  `assert!` in the body
//   optimization/rosenbrock_chained.rs:11:32  `T::from_f64(c).unwrap()`
//   optimization/rosenbrock_pairwise.rs:10:5  `debug_assert!` in the body
//   optimization/sphere.rs:11:30  iterator `.sum()` outside a `for`
//   optimization/styblinski_tang.rs:11:13  turbofish `.sum::<f64>()`
//   optimization/sum_of_powers.rs:12:10  iterator `.sum()` outside a `for`
//   optimization/trid.rs:9:61  iterator `.sum()` outside a `for`
//   optimization/zakharov.rs:9:44  iterator `.fold()` outside a `for`

// ---- statistics: log-densities and losses ----

#[path = "corpus/cases/statistics/cauchy_log_pdf.rs"]
mod cauchy_log_pdf;
#[path = "corpus/cases/statistics/logistic_log_pdf.rs"]
mod logistic_log_pdf;

// Not accepted by #[grad] yet (first rejected construct):
//   statistics/binary_cross_entropy.rs:18:13  turbofish `.sum::<f64>()`
//   statistics/gamma_log_likelihood.rs:11:62  iterator `.sum()` outside a `for`
//   statistics/gaussian_kl.rs:13:13  turbofish `.sum::<f64>()`
//   statistics/huber.rs:19:13  turbofish `.sum::<f64>()`
//   statistics/log_cosh.rs:10:5  `debug_assert_eq!` in the body
//   statistics/log_sum_exp.rs:9:31  iterator `.fold()` outside a `for`
//   statistics/logistic_regression_nll.rs:22:13  turbofish `.sum::<f64>()`
//   statistics/normal_log_likelihood.rs:12:5  `assert!` in the body
//   statistics/pinball.rs:10:5  `assert!` in the body
//   statistics/poisson_nll.rs:13:63  iterator `.sum()` outside a `for`
//   statistics/softmax_cross_entropy.rs:11:38  iterator `.fold()` outside a `for`
//   statistics/student_t_log_likelihood.rs:36:10  iterator `.sum()` outside a `for`
//   statistics/weighted_least_squares.rs:17:10  iterator `.sum()` outside a `for`

// ---- special functions ----

#[path = "corpus/cases/special/bessel_i0.rs"]
mod bessel_i0;
#[path = "corpus/cases/special/sinc.rs"]
mod sinc;

// Not accepted by #[grad] yet (first rejected construct):
//   special/chebyshev.rs:9:5  `assert!` in the body
//   special/digamma.rs:11:5  `assert!` in the body
//   special/erf_abramowitz_stegun.rs:22:31  iterator `.fold()` outside a `for`
//   special/horner.rs:10:25  iterator `.fold()` outside a `for`
//   special/lambert_w.rs:9:5  `assert!` in the body
//   special/ln_gamma_lanczos.rs:33:10  iterator `.fold()` outside a `for`
//   special/ln_gamma_stirling.rs:13:5  `debug_assert!` in the body
//   special/softplus.rs:10:39  `T::from_f64(c).unwrap()`

// ---- physics: energies and Lagrangians ----

#[path = "corpus/cases/physics/pendulum_energy.rs"]
mod pendulum_energy;

// Not accepted by #[grad] yet (first rejected construct):
//   physics/coulomb_energy.rs:14:41  `for` over a `zip` with a const table / sub-slice
//   physics/double_pendulum.rs:9:5  a `const` item in the body
//   physics/gravitational_potential.rs:15:25  `for` over `.zip(..).skip(..)` chains
//   physics/lennard_jones.rs:21:18  iterator `.sum()` outside a `for`
//   physics/oscillator_lagrangian.rs:12:33  `T::from_f64(c).unwrap()`
//   physics/spring_chain.rs:16:10  iterator `.sum()` outside a `for`
