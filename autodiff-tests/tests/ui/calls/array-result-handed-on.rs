use autodiff::grad;

#[grad]
fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[grad]
fn norm(a: [f64; 3]) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}

// `sub` returns an array by value, passed on whole: #[grad] cannot see its type and takes it
// for a number (`let d: [f64; 3] = sub(a, b);` says what it is).
#[grad]
fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    norm(sub(a, b))
}

fn main() {}
