//! `#[cfg(..)]` inside a `#[grad]` function (probe): statements that compute nothing the
//! function goes on with keep their attribute in the generated sweeps; anything else under
//! `#[cfg]` is a compile error (`ui/body/cfg-inside-the-function.rs`). Before, every
//! configuration's code was differentiated: a wrong value and a wrong gradient.

use std::sync::atomic::{AtomicUsize, Ordering};

use autodiff::grad;

static CHECKED: AtomicUsize = AtomicUsize::new(0);

fn check(v: f64, seen: &AtomicUsize) {
    assert!(v.is_finite());
    seen.fetch_add(1, Ordering::Relaxed);
}

#[grad(modes(tangent))]
fn weighted_sum(x: f64, w: &[f64]) -> f64 {
    let mut s = 2.0 * x;
    #[cfg(not(test))]
    panic!("compiled out in tests");
    #[cfg(test)]
    check(s, &CHECKED);
    for v in w {
        s += v * x;
        #[cfg(not(test))]
        {
            panic!("compiled out in tests")
        }
        #[cfg(debug_assertions)]
        debug_assert!(s.is_finite())
    }
    s
}

#[test]
fn statements_under_cfg_keep_their_attribute() {
    let before = CHECKED.load(Ordering::Relaxed);
    // s = 2x + x (w0 + w1)
    assert_eq!(
        weighted_sum_grad(2.0, &[1.0, 2.0]),
        (10.0, (5.0, vec![2.0, 2.0]))
    );
    assert_eq!(
        weighted_sum_tangent(2.0, &[1.0, 2.0], 1.0, autodiff::Const),
        (10.0, 5.0)
    );
    assert!(CHECKED.load(Ordering::Relaxed) >= before + 2);
}
