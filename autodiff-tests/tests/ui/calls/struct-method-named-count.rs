// A model's own `count()` returning a float: read by its name as a container's count, which
// has no derivative, it is checked to give no float, and the message says how to call it.
use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
pub struct Detector {
    pub rate: f64,
}

#[grad(self)]
impl Detector {
    pub fn count(&self) -> f64 {
        self.rate * 60.0
    }
}

#[grad(d)]
fn loss(d: &Detector, observed: f64) -> f64 {
    (d.count() - observed).powi(2)
}

fn main() {}
