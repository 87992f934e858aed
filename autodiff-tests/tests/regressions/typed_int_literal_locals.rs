//! Integer locals declared with a type and a literal (`let mut j: i64 = -3;`) lost the type
//! in the generated sweeps, which bind the value without the annotation: the literal became
//! an `i32`. A method of the declared type called on it failed to compile (E0689 "can't call
//! method `unsigned_abs` on ambiguous numeric type `{integer}`"), a literal beyond `i32` was
//! rejected (`literal out of range for i32`), and a product that only fits the declared type
//! overflowed. Found writing tests/loop_order.rs.
use autodiff::grad;

#[grad]
fn signed_counter(x: f64) -> f64 {
    let mut j: i64 = -3;
    let mut s = 0.0;
    for _ in 0..5 {
        s += x * j.unsigned_abs() as f64;
        j += 1;
    }
    s
}

#[grad]
#[allow(unused_parens)] // the parentheses are part of the reproducer
fn wide_constant(x: f64) -> f64 {
    let big: u64 = 3_000_000_000;
    let small: i16 = (-(7));
    x * big as f64 + x * small as f64
}

#[grad]
fn doubling(x: f64) -> f64 {
    let mut p: u64 = 1;
    for _ in 0..40 {
        p *= 2;
    }
    x * p as f64
}

fn main() {
    // |j| for j = -3..=1: 3 + 2 + 1 + 0 + 1 = 7.
    let (value, d_x) = signed_counter_grad(2.0);
    assert_eq!((value, d_x), (14.0, 7.0));
    let (value, d_x) = wide_constant_grad(1.0);
    assert_eq!((value, d_x), (2_999_999_993.0, 2_999_999_993.0));
    let (value, d_x) = doubling_grad(0.5);
    assert_eq!((value, d_x), (549_755_813_888.0, 1_099_511_627_776.0));
}
