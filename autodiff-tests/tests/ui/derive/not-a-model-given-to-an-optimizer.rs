use autodiff::optim::{Optimizer, SgdConfig};

// A struct of parameters without the derive.
#[derive(Clone)]
struct Line {
    w: f64,
    b: f64,
}

fn main() {
    let mut sgd = SgdConfig::new().build::<f64>().unwrap();
    let mut line = Line { w: 0.0, b: 0.0 };
    let grads = line.clone();
    sgd.step(&mut line, &grads);
}
