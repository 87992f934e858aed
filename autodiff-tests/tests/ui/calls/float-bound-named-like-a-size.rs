// A value bound from data (`h` of `Shape::Plate { w, h }`) passed to a `#[grad]` function is
// taken for an integer when its name is a size's (`h`, a hidden size), and checked to be one:
// a float there is an error spanned on it that says how to pass it as a float, never a call
// that misses the callee's shadow (a radar cross-section probe, ganlulingyun/r4w).
use autodiff::grad;

pub enum Shape {
    Plate { w: f64, h: f64 },
}

#[grad]
fn plate(w: f64, h: f64, lambda: f64) -> f64 {
    w * h / lambda
}

#[grad(f)]
fn rcs(f: f64, s: &Shape) -> f64 {
    match s {
        Shape::Plate { w, h } => plate(*w, *h, f),
    }
}

fn main() {}
