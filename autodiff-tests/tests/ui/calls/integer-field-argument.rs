// An integer field of a data struct handed to a call (`s.label`, a `usize`): `#[grad]` cannot
// see its type or the callee's, and takes it for a float by its name; the check it writes
// says so, spanned on the argument, and says how to pass it (a field named like an index,
// `s.class`, is known to be an integer, and so is the runtime's `softmax_cross_entropy`'s
// class). The callee's arity error follows it.
use autodiff::grad;

pub struct Sample {
    pub x: [f64; 3],
    pub label: usize,
}

#[grad]
fn picked(z: &[f64; 3], k: usize) -> f64 {
    z[k]
}

#[grad(w)]
fn score(w: &[f64; 3], s: &Sample) -> f64 {
    let z = [w[0] * s.x[0], w[1] * s.x[1], w[2] * s.x[2]];
    picked(&z, s.label)
}

fn main() {}
