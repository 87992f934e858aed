use autodiff::grad;

struct Pair {
    a: f64,
    b: f64,
}

fn sum(p: Pair) -> f64 {
    p.a + p.b
}

#[grad]
fn f(x: f64) -> f64 {
    sum(Pair { a: x, b: 2.0 })
}

fn main() {}
