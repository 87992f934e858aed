// A struct of data with methods of its own (`ds.len()`) under a bare `#[grad]`, which takes
// every struct parameter for a model: the first error says to name the differentiated
// parameters (probe: tabular data sets).
use autodiff::grad;

pub struct Dataset {
    pub x: Vec<Vec<f64>>,
    pub y: Vec<f64>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.y.len()
    }
}

#[grad]
fn squared_error(w: &[f64], ds: &Dataset) -> f64 {
    let mut s = 0.0;
    for i in 0..ds.len() {
        let p: f64 = ds.x[i].iter().zip(w).map(|(a, b)| a * b).sum();
        s += (p - ds.y[i]) * (p - ds.y[i]);
    }
    s
}

fn main() {}
