// A struct of data bound inside a branch and handed to a `#[grad]` method with a
// differentiated argument: the reverse sweep would need it out of the branch; the message
// says to bind it before the `if` (it was an error inside generated code).
use autodiff::grad;

pub struct Warp {
    pub k: f64,
}

#[grad]
impl Warp {
    pub fn apply(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

#[grad]
fn warped(x: f64, c: bool) -> f64 {
    if c {
        let w = Warp { k: 2.0 };
        w.apply(x)
    } else {
        x
    }
}

fn main() {}
