use autodiff::grad;

unsafe fn twice(v: f64) -> f64 {
    v * 2.0
}

#[grad]
fn f(x: f64) -> f64 {
    let double = |v: f64| 2.0 * v;
    println!("{}", x);
    let d = x.next_up();
    let y = unsafe { twice(d) };
    y + double(x)
}

fn main() {}
