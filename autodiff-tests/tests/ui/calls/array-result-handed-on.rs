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

#[grad]
fn scale(a: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

// Also when it is handed on to a call whose array result is typed.
#[grad]
fn half_length(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = sub(a, b);
    let half: [f64; 3] = scale(d, 0.5);
    norm(half)
}

fn main() {}
