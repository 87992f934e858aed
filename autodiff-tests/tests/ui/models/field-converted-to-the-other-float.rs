use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Net {
    w: [f32; 2],
    a: f32,
}

// A float parameter of an `f32` model computed with in `f64`: #[grad] differentiates in one
// float type per function, so its derivative would be lost (it was, silently: a zero).
#[grad(net)]
fn loss(net: &Net, x: f32) -> f32 {
    ((net.a as f64) * 2.0) as f32 + net.w[0] * x
}

fn main() {}
