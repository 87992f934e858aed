// A chain whose source is a call returning an iterator, not an array
// (`std::iter::successors`): reported on the call, where a chain over an array a call returns
// (`g(x).iter()`) is bound to a local and differentiated.
use autodiff::grad;

#[grad]
fn halvings(x: f64, n: usize) -> f64 {
    std::iter::successors(Some(x), |v| Some(v * 0.5))
        .take(n)
        .map(|v| v.sqrt())
        .sum()
}

fn main() {}
