use autodiff::{grad, Params};

pub trait Model {
    fn predict(&self, x: f64) -> f64;
}

// A model generic over a trait: its method's `_adjoint` is not declared on the trait.
#[grad(m)]
fn loss<M: Model + Params<Scalar = f64>>(m: &M, x: f64, y: f64) -> f64 {
    let p = m.predict(x);
    (p - y) * (p - y)
}

fn main() {}
