// `#[cfg(..)]` on code that computes values: the macro runs before `cfg` is decided, so it
// would differentiate every configuration's code (a wrong value and a wrong gradient).
#![allow(unused)]
use autodiff::grad;

#[grad]
fn scaled(x: f64, w: &[f64]) -> f64 {
    let mut s = 2.0 * x;
    #[cfg(debug_assertions)]
    {
        s *= 3.0;
    }
    #[cfg(not(target_os = "linux"))]
    let n = 2.0;
    #[cfg(target_os = "linux")]
    let n = 3.0;
    let picked = [x, #[cfg(unix)] w[0]];
    s * n + picked[0]
}

#[grad]
fn with_optional_term(x: f64, #[cfg(test)] b: f64) -> f64 {
    x * x
}

fn main() {}
