//! Loops over ranges of `i64`, `u64` and `i128` (signed pixel coordinates, counts read from a
//! file) whose reverse sweep reads a tape. Such a range is not an `ExactSizeIterator`, which
//! reading the tape zipped with the counters backwards needs, and so does running a
//! `step_by` backwards: the generated code counts the range first. Each function is written
//! twice, over the wide type and over `i32`: the gradients must be the same, bit for bit, and
//! match central differences.
#![deny(warnings)]

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// The recurrence of the report: `for i in 0..n` with `n = x.len() as i64`.
#[grad]
fn recurrence_i64(x: &[f64]) -> f64 {
    let n = x.len() as i64;
    let mut s = 0.0;
    for i in 0..n {
        s = (s + x[i as usize]).sin();
    }
    s
}

#[grad]
fn recurrence_i32(x: &[f64]) -> f64 {
    let n = x.len() as i32;
    let mut s = 0.0;
    for i in 0..n {
        s = (s + x[i as usize]).sin();
    }
    s
}

/// A `u64` parameter stepped by two.
#[grad]
fn stepped_u64(x: &[f64], n: u64) -> f64 {
    let mut s = 0.5;
    for i in (0..n).step_by(2) {
        s = (s * x[i as usize]).cos() + x[i as usize + 1];
    }
    s
}

#[grad]
fn stepped_u32(x: &[f64], n: u32) -> f64 {
    let mut s = 0.5;
    for i in (0..n).step_by(2) {
        s = (s * x[i as usize]).cos() + x[i as usize + 1];
    }
    s
}

/// An inclusive range run backwards, its bound computed from an `i64`.
#[grad]
fn inclusive_i64(x: &[f64]) -> f64 {
    let n = x.len() as i64;
    let mut s = 0.0;
    for i in (0..=n - 1).rev() {
        s = (s * x[i as usize]).cos() + x[(n - 1 - i) as usize];
    }
    s
}

#[grad]
fn inclusive_i32(x: &[f64]) -> f64 {
    let n = x.len() as i32;
    let mut s = 0.0;
    for i in (0..=n - 1).rev() {
        s = (s * x[i as usize]).cos() + x[(n - 1 - i) as usize];
    }
    s
}

/// A loop left early: its reverse replays the first `trips` counters of an `i128` range.
#[grad]
fn left_early_i128(x: &[f64]) -> f64 {
    let n = x.len() as i128;
    let mut s = 0.0;
    for i in 0..n {
        s = (s * x[i as usize]).cos();
        if s < -0.5 {
            break;
        }
    }
    s
}

#[grad]
fn left_early_i32(x: &[f64]) -> f64 {
    let n = x.len() as i32;
    let mut s = 0.0;
    for i in 0..n {
        s = (s * x[i as usize]).cos();
        if s < -0.5 {
            break;
        }
    }
    s
}

/// The length of `x` in the integer type the caller asks for, as a function the macro does
/// not see into.
fn count<I: TryFrom<usize>>(x: &[f64]) -> I {
    I::try_from(x.len()).ok().expect("a short slice")
}

/// A bound whose type only its `let` declares, and an image-filter shape: rows and a kernel
/// of signed coordinates, clamped at the border.
#[grad]
fn blurred_i64(x: &[f64]) -> f64 {
    let w: i64 = count(x);
    let mut total = 0.0;
    for y in 0..w {
        let mut acc = 0.0;
        for k in -1..2i64 {
            let at = (y + k).clamp(0, w - 1);
            acc = (acc + x[at as usize] * (1.0 + k as f64 * 0.25)).tanh();
        }
        total += acc * acc;
    }
    total
}

#[grad]
fn blurred_i32(x: &[f64]) -> f64 {
    let w: i32 = count(x);
    let mut total = 0.0;
    for y in 0..w {
        let mut acc = 0.0;
        for k in -1..2i32 {
            let at = (y + k).clamp(0, w - 1);
            acc = (acc + x[at as usize] * (1.0 + k as f64 * 0.25)).tanh();
        }
        total += acc * acc;
    }
    total
}

/// A `while` loop over an `i64` counter.
#[grad]
fn counted_up_i64(x: &[f64]) -> f64 {
    let n = x.len() as i64;
    let mut s = 1.0;
    let mut i: i64 = 0;
    while i < n {
        s = (s * x[i as usize]).sin();
        i += 1;
    }
    s
}

#[grad]
fn counted_up_i32(x: &[f64]) -> f64 {
    let n = x.len() as i32;
    let mut s = 1.0;
    let mut i: i32 = 0;
    while i < n {
        s = (s * x[i as usize]).sin();
        i += 1;
    }
    s
}

/// A checkpointed loop over an `i64` range, whose segments the reverse sweep replays.
#[grad]
fn checkpointed_i64(x: &[f64]) -> f64 {
    let n = x.len() as i64;
    let mut s = 0.3;
    #[checkpoint]
    for i in 0..n {
        s = (s + x[i as usize]).sin() * 1.1;
    }
    s
}

type Grad = fn(&[f64]) -> (f64, Vec<f64>);
type Primal = fn(&[f64]) -> f64;

#[test]
fn wide_ranges_give_the_gradients_of_narrow_ones() {
    let pairs: [(&str, Primal, Grad, Grad); 6] = [
        (
            "recurrence",
            recurrence_i64,
            recurrence_i64_grad,
            recurrence_i32_grad,
        ),
        (
            "inclusive",
            inclusive_i64,
            inclusive_i64_grad,
            inclusive_i32_grad,
        ),
        (
            "left_early",
            left_early_i128,
            left_early_i128_grad,
            left_early_i32_grad,
        ),
        ("blurred", blurred_i64, blurred_i64_grad, blurred_i32_grad),
        (
            "counted_up",
            counted_up_i64,
            counted_up_i64_grad,
            counted_up_i32_grad,
        ),
        (
            "checkpointed",
            checkpointed_i64,
            checkpointed_i64_grad,
            checkpointed_i32_grad,
        ),
    ];
    let mut rng = Rng::new(61);
    for n in [1, 2, 5, 12] {
        let x = rng.vec(n, -1.5, 1.5);
        for (name, f, wide, narrow) in pairs {
            let (value, gradient) = wide(&x);
            assert_eq!(
                (value, &gradient),
                (narrow(&x).0, &narrow(&x).1),
                "{name}, n = {n}"
            );
            assert_eq!(value, f(&x), "{name}");
            assert_matches_fd(&f, &x, &gradient, name);
        }
    }
}

/// `checkpointed_i64` over `i32`, without the checkpoint.
#[grad]
fn checkpointed_i32(x: &[f64]) -> f64 {
    let n = x.len() as i32;
    let mut s = 0.3;
    for i in 0..n {
        s = (s + x[i as usize]).sin() * 1.1;
    }
    s
}

#[test]
fn a_u64_parameter_stepped_backwards() {
    let mut rng = Rng::new(62);
    for n in [2usize, 4, 9] {
        let x = rng.vec(n + 1, -1.2, 1.2);
        let (value, gradient) = stepped_u64_grad(&x, n as u64);
        assert_eq!(
            (value, &gradient),
            (
                stepped_u32_grad(&x, n as u32).0,
                &stepped_u32_grad(&x, n as u32).1
            )
        );
        assert_matches_fd(&|x| stepped_u64(x, n as u64), &x, &gradient, "stepped_u64");
    }
}
