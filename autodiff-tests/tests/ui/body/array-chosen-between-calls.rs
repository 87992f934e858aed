use autodiff::grad;

#[grad]
fn rotation(t: f64) -> [[f64; 2]; 2] {
    [[t.cos(), -t.sin()], [t.sin(), t.cos()]]
}

#[grad]
fn counter_rotation(t: f64) -> [[f64; 2]; 2] {
    [[t.cos(), t.sin()], [-t.sin(), t.cos()]]
}

// Nothing here tells the shape of what the `if` chooses: the message asks for the type on
// the `let`, and the reads after it give no errors of their own.
#[grad]
fn pick(t: f64, flip: bool) -> f64 {
    let r = if flip { rotation(t) } else { counter_rotation(t) };
    r[0][1] * r[1][1]
}

fn main() {}
