//! A field bound to a local (`let w = &m.w;`) is renamed to the field's parameter, but some
//! reads keep the local's name, which no longer exists (E0425 `cannot find value w`): chains
//! with `zip`, `skip`, `windows`, and `assert!`; a copy `*w` is rejected ("copies 1-D arrays
//! ..."). Indexing it, `for v in w.iter()`, `w.iter().map(..).sum()` and passing it on work.
//! Found by autodiff-fuzz (models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    w: [f64; 3],
    a: f64,
}

#[grad]
fn alias_chained(m: &M) -> f64 {
    let w = &m.w;
    assert!(w.len() == 3);
    let zipped = w.iter().zip(w.iter()).map(|(p, q)| p * q).sum::<f64>();
    let skipped = w.iter().skip(1).map(|p| p * p).sum::<f64>();
    let windows = w.windows(2).map(|v| v[1] * v[0]).sum::<f64>();
    zipped + skipped + windows
}

#[grad]
fn alias_copied(m: &M) -> f64 {
    let w = &m.w;
    let mut c = *w;
    c[0] += m.a;
    c[0] * c[1]
}

fn main() {
    let m = M {
        w: [1.0, 2.0, 3.0],
        a: 0.5,
    };
    // sum w_i^2 + w_1^2 + w_2^2 + w_0 w_1 + w_1 w_2
    let (value, d_m) = alias_chained_grad(&m);
    assert_eq!((value, d_m.w), (35.0, [4.0, 12.0, 14.0]));
    // (w_0 + a) w_1
    let (value, d_m) = alias_copied_grad(&m);
    assert_eq!((value, d_m.w, d_m.a), (3.0, [2.0, 1.5, 0.0], 2.0));
}
