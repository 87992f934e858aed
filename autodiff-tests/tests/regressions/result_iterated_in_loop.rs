//! An array returned by a call and bound inside a loop (`let y = pair(x);` in a `for` body)
//! cannot be iterated: a `for v in y.iter()` or a chain `y.iter().sum()` makes the reverse
//! sweep read a stored copy it never declares (E0425 `cannot find value y_2`). Indexed
//! (`y[0]`), or bound outside the loop, it works. Found by autodiff-fuzz (vector-outputs).
use autodiff::grad;

#[grad]
fn pair(x: f64) -> [f64; 2] {
    [x * x, 3.0 * x]
}

#[grad]
fn iterated_in_loop(x: f64) -> f64 {
    let mut s = 0.0;
    for _i in 0..2 {
        let y = pair(x);
        for v in y.iter() {
            s += v;
        }
        s += y.iter().sum::<f64>();
    }
    s
}

fn main() {
    // 4 (x^2 + 3 x)
    assert_eq!(iterated_in_loop_grad(0.5), (7.0, 16.0));
}
