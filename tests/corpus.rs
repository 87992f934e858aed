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

// #[path = "corpus/cases/optimization/rosenbrock.rs"]
// mod rosenbrock;
