use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    for i in 0.. {
        y = y * 0.5;
        if i > 3 {
            break;
        }
    }
    y
}

fn main() {}
