//! Integers beside the floats, as libm writes them (`erf`, `erfc`: the Bayesian optimization
//! probe): a local declared with an integer type and assigned later from a helper
//! (`let ix: u32; ix = get_high_word(x);`), then shifted, and bits changed in place (`ix &=
//! 0x7fffffff;`): integer arithmetic the sweeps keep as written, branches taken on it.

// libm declares first and assigns after, as it is written here.
#![allow(clippy::needless_late_init)]

use autodiff::grad;

fn get_high_word(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

/// x|x|, its sign read from the high word's top bit.
#[grad]
fn signed_square(x: f64) -> f64 {
    let ix: u32;
    let sign: usize;
    ix = get_high_word(x);
    sign = (ix >> 31) as usize;
    if sign != 0 {
        -x * x
    } else {
        x * x
    }
}

#[test]
fn a_typed_integer_assigned_later_from_a_helper() {
    for x in [0.5, -1.5, 3.0] {
        let (value, d) = signed_square_grad(x);
        assert_eq!(value, x * x.abs());
        assert_eq!(d, 2.0 * x.abs());
    }
}

/// libm's branch on |x| by its exponent bits: `ix &= 0x7fffffff` clears the sign.
#[grad]
fn small_or_large(x: f64) -> f64 {
    let mut ix = get_high_word(x);
    ix &= 0x7fffffff;
    let mut k: u32 = ix >> 20;
    k |= 1;
    k <<= 1;
    k ^= 2;
    if ix < 0x3ff00000 {
        x * x * k as f64
    } else {
        x.sin()
    }
}

#[test]
fn bits_changed_in_place() {
    for x in [0.5, -0.25, 2.0, -3.0] {
        let (value, d) = small_or_large_grad(x);
        assert_eq!(value, small_or_large(x));
        let k = ((((get_high_word(x) & 0x7fffffff) >> 20) | 1) << 1) ^ 2;
        let expected = match x.abs() < 1.0 {
            true => 2.0 * x * k as f64,
            false => x.cos(),
        };
        assert_eq!(d, expected);
    }
}
