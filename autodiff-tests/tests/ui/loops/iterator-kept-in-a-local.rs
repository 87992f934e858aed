use autodiff::grad;

// The first element taken from an iterator, the rest iterated later.
#[grad]
fn first_plus_max(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let first = *it.next().unwrap();
    let mut m = first;
    for &v in it {
        m = m.max(v);
    }
    m + first
}

fn main() {}
