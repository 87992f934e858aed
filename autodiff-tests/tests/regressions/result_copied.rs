//! An array returned by a call and bound (`let y = pair(x);`) is not an array to a copy of it
//! (`let mut c = y;`: "can index only arrays", and when `y` is also indexed and `c` is
//! returned, E0308 `expected [f64; 2], found Vec<f64>` in the generated code) nor to a
//! pattern (`let [p, q] = y;`: "supports `let` patterns that are names or tuples"). A copy
//! of a local `[0.0; 2]` array works. Found by autodiff-fuzz (vector-outputs).
use autodiff::grad;

#[grad]
fn pair(x: f64) -> [f64; 2] {
    [x * x, 3.0 * x]
}

#[grad]
fn copied(x: f64) -> f64 {
    let y = pair(x);
    let mut c = y;
    c[0] += x;
    c[0] * c[1]
}

#[grad]
fn copy_returned(x: f64) -> [f64; 2] {
    let y = pair(x);
    let mut c = y;
    c[0] += y[1];
    c
}

#[grad]
fn destructured(x: f64) -> f64 {
    let y = pair(x);
    let [p, q] = y;
    p * q
}

fn main() {
    // (x^2 + x) 3 x
    assert_eq!(copied_grad(0.5), (1.125, 5.25));
    // [x^2 + 3 x, 3 x] against d_out = [1, 1]
    let mut d_x = 0.0;
    assert_eq!(
        copy_returned_adjoint(0.5, &[1.0, 1.0], &mut d_x),
        [1.75, 1.5]
    );
    assert_eq!(d_x, 7.0);
    // 3 x^3
    assert_eq!(destructured_grad(0.5), (0.375, 2.25));
}
