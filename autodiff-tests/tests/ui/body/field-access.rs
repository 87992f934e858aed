use autodiff::grad;

struct Point {
    y: f64,
}

#[grad]
fn f(x: f64, p: &Point) -> f64 {
    x * p.y
}

fn main() {
    let _ = Point { y: 1.0 }.y;
}
