use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Counter {
    total: f64,
}

impl Counter {
    #[grad(self, x)]
    fn add(&mut self, x: f64) -> f64 {
        self.total * x
    }
}

fn main() {}
