use autodiff::grad;

#[derive(Clone, Copy, Debug)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    pub fn new(re: f64, im: f64) -> Complex {
        Complex { re, im }
    }
}

impl std::ops::Mul<f64> for Complex {
    type Output = Complex;
    fn mul(self, s: f64) -> Complex {
        Complex::new(self.re * s, self.im * s)
    }
}

// `j * x` is `Complex`'s own `Mul`, which `#[grad]` does not look into.
#[grad]
fn rotated_norm(x: f64) -> f64 {
    let j = Complex::new(0.0, 1.0);
    let z = j * x;
    z.re * z.re + z.im * z.im
}

fn main() {}
