use autodiff::grad;

const TENORS: [f64; 3] = [1.0, 2.0, 5.0];

// The length of the mapped table is not stated where it is bound.
#[grad]
fn present_value(z: f64) -> f64 {
    let d = TENORS.map(|t| (-z * t).exp());
    d.iter().sum()
}

fn main() {}
