// A worklist popped from a local copy of data: the sweeps track a local array's elements, not
// a changing length; the message says how to walk it instead.
use autodiff::grad;

#[grad(x)]
fn walk(x: &[f64], order: &[usize]) -> f64 {
    let mut stack = order.to_vec();
    let mut s = 0.0;
    while let Some(i) = stack.pop() {
        s = s * 0.5 + x[i];
    }
    s
}

fn main() {}
