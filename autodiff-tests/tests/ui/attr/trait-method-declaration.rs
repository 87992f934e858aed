// `#[grad]` on a trait's declaration of a method, which has no body to differentiate.
use autodiff::grad;

trait Model {
    #[grad]
    fn loss(&self, x: f64) -> f64;
}

fn main() {}
