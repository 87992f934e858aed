use autodiff::grad;

// `break 'outer value` from a nested loop: the value would have to cross the inner loop.
#[grad]
fn first_large(x: &[f64]) -> f64 {
    let v = 'outer: loop {
        for &a in x {
            if a > 1.0 {
                break 'outer a * 2.0;
            }
        }
        break 0.0;
    };
    v * x[0]
}

fn main() {}
