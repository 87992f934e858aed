// An associated function without `self` marked alone looks like a free function to the
// macro; beside a free function of the same name, its items would silently call that one's.
use autodiff::grad;

#[grad]
fn scale(x: f64) -> f64 {
    x * x * x
}

pub struct Huber;

impl Huber {
    #[grad]
    pub fn scale(x: f64) -> f64 {
        x * x
    }
}

fn main() {
    let _ = Huber::scale_grad(2.0);
    let _ = scale_grad(2.0);
}
