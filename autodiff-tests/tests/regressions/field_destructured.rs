//! A model's array field destructured (`let [p, q] = m.w;`) is rejected ("supports `let`
//! patterns that are names or tuples"); the same pattern on an array parameter, or on an
//! alias (`let w = &m.w; let [p, q] = *w;`), works. Found by autodiff-fuzz (models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    w: [f64; 2],
}

#[grad]
fn field_destructured(m: &M) -> f64 {
    let [p, q] = m.w;
    p * q
}

fn main() {
    let (value, d_m) = field_destructured_grad(&M { w: [2.0, 3.0] });
    assert_eq!((value, d_m.w), (6.0, [3.0, 2.0]));
}
