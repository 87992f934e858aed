use autodiff::grad;

#[grad(w)]
fn by_tag(w: f64, tag: Option<f64>) -> f64 {
    match tag {
        Some(t) => w * t,
        None => w,
    }
}

#[grad]
fn caller(w: f64, t: f64) -> f64 {
    by_tag(w, Some(t))
}

fn main() {
    let _ = caller_grad(1.0, 2.0);
}
