use autodiff::grad;

unsafe fn twice(v: f64) -> f64 {
    v * 2.0
}

#[grad]
fn f(x: f64) -> f64 {
    let y = unsafe { twice(x) };
    y * x
}

fn main() {}
