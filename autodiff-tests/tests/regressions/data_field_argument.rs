//! A data struct's float field passed to a `#[grad]` function, directly (`cfg.scale`) or
//! through a local, gets no shadow: the generated code calls `scale_adjoint` with one argument
//! too few (E0061). `cfg.scale * 2.0` keeps it. Found by autodiff-fuzz (models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
}

struct Cfg {
    scale: f64,
}

#[grad]
fn scale(x: f64, s: f64) -> f64 {
    x * s
}

#[grad(m)]
fn data_field_argument(m: &M, cfg: &Cfg) -> f64 {
    let s = cfg.scale;
    scale(m.a, cfg.scale) + scale(m.a, s)
}

fn main() {
    let (value, d_m) = data_field_argument_grad(&M { a: 3.0 }, &Cfg { scale: 0.5 });
    assert_eq!((value, d_m.a), (3.0, 1.0));
}
