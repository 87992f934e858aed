// A struct made by its constructor from differentiated values (`Complex::new(a * b, a - b)`),
// then a `#[grad]` method called on it: the constructor's result is read as a number or an
// array; the message says to build the struct with a literal.
use autodiff::{grad, Params};

#[derive(Clone, Copy, Debug, Params)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    pub fn new(re: f64, im: f64) -> Self {
        Complex { re, im }
    }
}

#[grad(self)]
impl Complex {
    pub fn modulus(&self) -> f64 {
        self.re.hypot(self.im)
    }
}

#[grad]
fn f(a: f64, b: f64) -> f64 {
    let z: Complex = Complex::new(a * b, a - b);
    z.modulus()
}

fn main() {}
