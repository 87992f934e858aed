use autodiff::grad;

// An iterator kept in a local whose next element may be missing (`unwrap_or`): the counter it
// becomes takes `it.next().unwrap()`, `.expect(..)`, and the iterator used whole afterwards.
#[grad]
fn first_two(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let first = *it.next().unwrap();
    let second = *it.next().unwrap_or(&0.0);
    first * second
}

fn main() {}
