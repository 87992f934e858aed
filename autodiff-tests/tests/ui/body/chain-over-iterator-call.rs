// A chain whose source is a call returning an iterator, not an array (`std::iter::repeat`):
// reported on the call, where a chain over an array a call returns (`g(x).iter()`) is bound
// to a local and differentiated.
use autodiff::grad;

#[grad]
fn repeated_roots(x: f64, n: usize) -> f64 {
    std::iter::repeat(x).take(n).map(|v| v.sqrt()).sum()
}

fn main() {}
