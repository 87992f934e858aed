// A model's own `first()` called by method-call syntax on a parameter: read as a slice's
// `first`, of a type that may be an alias of an array; the message says to call it by its
// path.
use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
pub struct Queue {
    pub rate: f64,
}

#[grad(self)]
impl Queue {
    pub fn first(&self) -> f64 {
        self.rate * 2.0
    }
}

#[grad(q)]
fn wait(q: &Queue) -> f64 {
    q.first().recip()
}

fn main() {}
