// A trait impl that defines `func` and `func_grad` (rusty-machine's activations): the
// `func_grad` that #[grad] generates for `func` would shadow the trait's own.
use autodiff::grad;

pub trait ActivationFunc {
    fn func(x: f64) -> f64;
    fn func_grad(x: f64) -> f64;
}

pub struct Sigmoid;

#[grad]
impl ActivationFunc for Sigmoid {
    fn func(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    fn func_grad(x: f64) -> f64 {
        Self::func(x) * (1.0 - Self::func(x))
    }
}

fn main() {
    let _: f64 = Sigmoid::func_grad(0.3);
}
