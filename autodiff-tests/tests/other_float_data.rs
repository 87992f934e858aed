//! Data of the float type a function does not compute in (`let c: f64 = ..;`, `n as f64`,
//! `1e20_f64`, a `const BIG: f64` in an `f32` function) is computed in its own type, as
//! written, and converted where the code converts it. It was retyped to the function's float
//! (a wrong value and gradient: `1.0 + 1e-10` rounds to 1 in `f32`), or failed to compile.
#![allow(clippy::excessive_precision, clippy::unnecessary_cast)]

use autodiff::grad;

const BIG: f64 = 1e20;

#[grad]
fn rescaled(k: f32) -> f32 {
    let c: f64 = 1.0 + 1e-10;
    let scale = ((c - 1.0) * 1e10) as f32;
    scale * k
}

#[grad]
fn rounded_in_f32(x: f64) -> f64 {
    // 16777217 is not an `f32`: it rounds to 16777216.
    let c: f32 = 16777217.0;
    x * (c as f64 - 16777216.0) + x
}

#[grad]
fn step_of(x: f32, n: usize) -> f32 {
    let h = 1.0 / n as f64;
    x * h as f32
}

#[grad]
fn constants_in_f64(x: f32) -> f32 {
    let b = (BIG * 1e-19) as f32;
    let c = 1e20_f64;
    x * b * (c.sqrt() * 1e-10) as f32
}

#[grad]
fn accumulated_in_f64(x: f32, n: usize) -> f32 {
    let mut acc = 0.0f64;
    for i in 0..n {
        acc += (i as f64).sqrt();
    }
    x * acc as f32
}

#[test]
fn data_of_the_other_float_type_keeps_its_type() {
    let scale = ((1.0f64 + 1e-10 - 1.0) * 1e10) as f32;
    assert_ne!(scale, 0.0);
    assert_eq!(rescaled_grad(2.0), (rescaled(2.0), scale));
    assert_eq!(rescaled(2.0), 2.0 * scale);
    assert_eq!(rounded_in_f32_grad(1.0), (1.0, 1.0));
    assert_eq!(step_of_grad(2.0, 4), (0.5, 0.25));
    assert_eq!(constants_in_f64_grad(2.0), (20.0, 10.0));
    let sum = (0..5).map(|i| (i as f64).sqrt()).sum::<f64>() as f32;
    assert_eq!(
        accumulated_in_f64_grad(2.0, 5),
        (accumulated_in_f64(2.0, 5), sum)
    );
}
