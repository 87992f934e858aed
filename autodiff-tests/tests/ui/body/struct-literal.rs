use autodiff::grad;

#[derive(Clone, Copy, Default)]
struct Pair {
    a: f64,
    b: f64,
}

#[grad]
fn f(x: f64) -> f64 {
    let read = (Pair { a: x, b: 2.0 }).a;
    let p = Pair { a: x, b: 2.0 };
    let q = Pair { a: x, ..Default::default() };
    let r = if x > 0.0 { Pair { a: x, b: 1.0 } } else { Pair { a: 1.0, b: x } };
    read + q.a + p.c + r.a
}

fn main() {}
