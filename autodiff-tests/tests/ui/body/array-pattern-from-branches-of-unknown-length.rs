// Elements destructured with a rest pattern from an `if` whose branches are calls: nothing
// tells the array's length, which the sweeps need. Bound with its type first, it works.
use autodiff::grad;

#[grad]
fn g(x: f64) -> [f64; 3] {
    [x, x * x, 1.0]
}

#[grad]
fn f(x: f64, c: bool) -> f64 {
    let [p, ..] = if c { g(x) } else { g(2.0 * x) };
    p * p
}

fn main() {}
