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

// The loop's only value comes through its label: one error, not a second on the `let`.
#[grad]
fn second(x: &[f64; 2]) -> f64 {
    let r = 'o: loop {
        loop {
            break 'o x[1];
        }
    };
    r
}

fn main() {}
