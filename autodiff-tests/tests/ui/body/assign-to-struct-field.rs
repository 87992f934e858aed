// A differentiated value written into a data parameter would lose its derivative there.
// (Data written there, `s.count += 1`, runs as written.)
use autodiff::grad;

struct State {
    acc: f64,
}

#[grad(x)]
fn f(x: f64, s: &mut State) -> f64 {
    s.acc = x * 2.0;
    x * x
}

fn main() {
    let _ = State { acc: 0.0 }.acc;
}
