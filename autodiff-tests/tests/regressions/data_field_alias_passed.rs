//! A local alias of a data struct's array field (`let al = &cfg.shift;`) passed to a call
//! whose result is data: the pass-through rebound the alias as `&cfg_shift`, a reference to
//! the reference the field is read through (E0308, `&&[f64; 4]` for `&[f64]`). Found by
//! autodiff-fuzz (seed 7171, families all).
use autodiff::grad;

struct Cfg {
    shift: [f64; 4],
}

#[grad(modes(tangent))]
fn pick(n: usize, w: &[f64]) -> f64 {
    w[n] * w[0]
}

#[grad(x, modes(tangent))]
fn through_alias(x: f64, cfg: &Cfg) -> f64 {
    let al = &cfg.shift;
    let t = pick(3, al);
    x * t + al[3]
}

fn main() {
    let cfg = Cfg {
        shift: [2.0, 0.5, -1.0, 3.0],
    };
    // x s3 s0 + s3: d/dx = s3 s0 = 6
    assert_eq!(through_alias_grad(1.5, &cfg), (12.0, 6.0));
    assert_eq!(through_alias_tangent(1.5, &cfg, 2.0), (12.0, 12.0));
}
