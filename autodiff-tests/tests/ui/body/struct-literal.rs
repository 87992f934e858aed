use autodiff::grad;

#[derive(Clone, Copy, Default)]
struct Pair {
    a: f64,
    b: f64,
}

fn sum(p: Pair) -> f64 {
    p.a + p.b
}

#[grad]
fn f(x: f64) -> f64 {
    let lent = sum(Pair { a: x, b: 2.0 });
    let p = Pair { a: x, b: 2.0 };
    let whole = sum(p);
    let q = Pair { a: x, ..Default::default() };
    let r = if x > 0.0 { Pair { a: x, b: 1.0 } } else { Pair { a: 1.0, b: x } };
    lent + whole + q.a + p.c + r.a
}

fn main() {}
