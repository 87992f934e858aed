use autodiff::grad;

pub struct Propagator {
    pub k: f64,
}

#[derive(Debug)]
pub struct Prediction {
    pub position: [f64; 3],
}

// A block whose only method returns a struct (sgp4's `propagate -> Result<Prediction, Error>`):
// nothing is differentiated, which only the callers' `no method named propagate_jacobian`
// said before.
#[grad(t, modes(jacobian))]
impl Propagator {
    pub fn propagate(&self, t: f64) -> Result<Prediction, String> {
        Ok(Prediction {
            position: [self.k * t, t, 0.0],
        })
    }
}

fn main() {}
