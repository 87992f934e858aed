use autodiff::grad;

// An `if` that gives a whole array: assign it in the branches instead.
#[grad]
fn pick(v: &[f64; 2], u: &[f64; 2], flag: bool) -> f64 {
    let a = if flag { *v } else { *u };
    a[0] * a[1]
}

fn main() {}
