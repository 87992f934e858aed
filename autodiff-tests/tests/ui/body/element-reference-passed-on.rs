use autodiff::grad;

fn triple(r: &mut f64) {
    *r *= 3.0;
}

// The reference is passed on, not read or written as `*r`: the message says to index the
// element.
#[grad]
fn scaled_last(y: &[f64]) -> f64 {
    let mut v = y.to_vec();
    if let Some(r) = v.last_mut() {
        triple(r);
    }
    v.iter().sum()
}

fn main() {}
