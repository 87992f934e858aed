// A `macro_rules!` defined in the function whose rules read its values: the generated code
// names them otherwise and differentiates only the code it sees (noise-rs' `call_gradient!`).
use autodiff::grad;

#[grad]
fn product(x: f64) -> f64 {
    macro_rules! offset {
        ($o:expr) => {
            x - $o as f64
        };
    }
    let a = offset!(0);
    let b = offset!(1);
    a * b
}

fn main() {}
