//! Data of the float type a function does not compute in (`let c: f64 = ..;`, `n as f64`,
//! `1e20_f64`, a `const BIG: f64` in an `f32` function) is computed in its own type, as
//! written, and converted where the code converts it. It was retyped to the function's float
//! (a wrong value and gradient: `1.0 + 1e-10` rounds to 1 in `f32`), or failed to compile.
#![allow(
    clippy::excessive_precision,
    clippy::unnecessary_cast,
    clippy::useless_vec
)]

use autodiff::grad;
use num_traits::FromPrimitive;

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

/// A table of float literals in a function generic over `T` is of `f64`, as Rust infers it,
/// read through `T::from`: it was retyped to `T` (E0308 inside generated code).
#[grad]
fn polynomial<T: num_traits::Float>(x: T) -> T {
    let c = [0.5, 0.25, -0.125];
    let mut acc = T::zero();
    for (i, &ci) in c.iter().enumerate() {
        acc = acc + T::from(ci).unwrap() * x.powi(i as i32 + 1);
    }
    acc
}

/// The same with the table's type written, `f32`, and as a `Vec`.
#[grad]
fn tenths<T: num_traits::Float>(x: T) -> T {
    let c: [f32; 2] = [0.1, 0.3];
    let v = vec![0.7, 0.9];
    x * T::from(c[0]).unwrap() + x * x * T::from(c[1]).unwrap() + T::from(v[1]).unwrap() * x
}

#[test]
fn a_literal_table_of_a_generic_function_is_data() {
    for x in [-1.5f64, 0.0, 0.5, 2.0] {
        let (value, slope) = polynomial_grad(x);
        assert_eq!(value, polynomial(x));
        let expected = 0.5 + 0.5 * x - 0.375 * x * x;
        assert!(
            (slope - expected).abs() < 1e-15,
            "{slope} vs {expected} at {x}"
        );
        let (value, slope) = polynomial_grad(x as f32);
        assert_eq!(value, polynomial(x as f32));
        assert!((slope as f64 - expected).abs() < 1e-6);
        // `0.1_f32` converted to `f64`, not `0.1_f64`.
        let (value, slope) = tenths_grad(x);
        assert_eq!(value, tenths(x));
        let (c0, c1) = (0.1f32 as f64, 0.3f32 as f64);
        assert!((slope - (c0 + 2.0 * x * c1 + 0.9)).abs() < 1e-15);
        assert!((slope - (0.1 + 2.0 * x * 0.3 + 0.9)).abs() > 1e-9 || x == 0.0);
    }
}

/// The argument of `f32::from_f64(..)` is an `f64` expression, computed in `f64` as written
/// (probe, argmin's test functions at `f32`): it was computed in `f32` (`1.0 + 1e-10` rounds
/// to 1, a wrong value and gradient; `1e300` out of range, E0308 inside the generated code).
#[grad]
fn converted_difference(x: f32) -> f32 {
    f32::from_f64((1.0 + 1e-10) - 1.0).unwrap() * 1e10 * x
}

#[grad]
fn converted_quotient(x: f32) -> f32 {
    f32::from_f64(1.0 / 2.427).unwrap() * x + f32::from_f64(1e300 / 1e299).unwrap() * x * x
}

/// The same in the dual sweeps of second order, which typed an unsuffixed literal by the
/// function's float type where the conversion takes the other one.
#[grad(modes(hvp))]
fn beale_term(x: f32, y: f32) -> f32 {
    (f32::from_f64(1.5).unwrap() - x + x * y).powi(2)
}

#[grad(modes(hvp))]
fn widened(x: f64) -> f64 {
    f64::from_f32(0.1).unwrap() * x * x
}

#[test]
fn a_constant_converted_from_the_other_float_type_keeps_its_type() {
    let tiny = f32::from_f64((1.0 + 1e-10) - 1.0).unwrap() * 1e10;
    assert_ne!(tiny, 0.0);
    assert_eq!(
        converted_difference_grad(2.0),
        (converted_difference(2.0), tiny)
    );
    let c = f32::from_f64(1.0 / 2.427).unwrap();
    assert_ne!(c, 1.0f32 / 2.427f32);
    assert_eq!(
        converted_quotient_grad(2.0),
        (converted_quotient(2.0), c + 2.0 * 10.0 * 2.0)
    );
    // (1.5 - x + x y)^2 at (2, 0.5): the inner value is 0.5.
    let (value, (dx, dy), (hx, hy)) = beale_term_hvp(2.0, 0.5, 1.0, 0.0);
    assert_eq!(value, 0.25);
    assert_eq!((dx, dy), (2.0 * 0.5 * (0.5 - 1.0), 2.0 * 0.5 * 2.0));
    // H e_x = (2 (y - 1)^2, 2 (y - 1) x + 2 inner) = (0.5, -2 + 1).
    assert_eq!((hx, hy), (0.5, -1.0));
    let c = f64::from_f32(0.1).unwrap();
    assert_ne!(c, 0.1);
    assert_eq!(widened_hvp(3.0, 1.0), (c * 9.0, 6.0 * c, 2.0 * c));
}

#[derive(Clone, Debug, autodiff::Params)]
struct Scaled {
    w: [f32; 2],
    a: f32,
    #[params(skip)]
    n: usize,
}

#[grad]
fn h(w: &[f32], x: f32) -> Vec<f32> {
    w.iter().map(|wi| wi * x).collect()
}

#[grad]
fn repeated(x: f64, n: usize) -> f64 {
    x * n as f64
}

/// A model's float field compared in the other float type and passed to a call (random-program
/// tester, seed 20261441): the conversion made it data, and the call missed its shadow
/// (E0061 inside generated code).
#[grad(m)]
fn compared_in_f64(m: &Scaled, t: f32) -> f32 {
    let s = if (m.a as f64) > 0.5 { t } else { m.w[1] };
    h(&m.w, m.a)[0] * s
}

/// An integer field converted in an `f32` function to `f64` and passed on: an integer, passed
/// with no shadow.
#[grad(m)]
fn count_in_f64(m: &Scaled, t: f32) -> f32 {
    let scale = (m.n as f64).sqrt() as f32;
    h(&m.w, t)[1] * scale + repeated(1.5, m.n) as f32
}

#[test]
fn a_field_converted_to_the_other_float_type() {
    let m = Scaled {
        w: [0.5, 0.2],
        a: 0.3,
        n: 4,
    };
    // a <= 0.5: s = w1, f = w0 a w1
    let (value, d) = compared_in_f64_grad(&m, 0.1);
    assert_eq!(value, compared_in_f64(&m, 0.1));
    assert_eq!((d.w, d.a), ([0.3 * 0.2, 0.5 * 0.3], 0.5 * 0.2));
    let big = Scaled {
        a: 0.75,
        ..m.clone()
    };
    let (_, d) = compared_in_f64_grad(&big, 0.1);
    assert_eq!((d.w, d.a), ([0.75 * 0.1, 0.0], 0.5 * 0.1));
    let (value, d) = count_in_f64_grad(&m, 0.1);
    assert_eq!(value, count_in_f64(&m, 0.1));
    assert_eq!((d.w, d.a), ([0.0, 0.1 * 2.0], 0.0));
}

#[derive(Clone, Debug, autodiff::Params)]
struct Counted {
    a: f64,
    #[params(skip)]
    n: usize,
}

/// A skipped count converted to the function's float and passed to a call taking it as an
/// integer: it was bound converted (E0308 inside generated code).
#[grad(m)]
fn count_converted_and_passed(m: &Counted, t: f64) -> f64 {
    let c = m.n as f64;
    repeated(m.a, m.n) * c + t
}

#[test]
fn a_count_converted_and_passed() {
    let m = Counted { a: 0.3, n: 3 };
    let (value, d) = count_converted_and_passed_grad(&m, 0.1);
    assert_eq!(value, count_converted_and_passed(&m, 0.1));
    assert_eq!(d.a, 9.0);
}
