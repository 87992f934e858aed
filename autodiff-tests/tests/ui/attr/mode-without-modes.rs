use autodiff::grad;

// Extra items go in `modes(..)`; a bare `tangent` is a parameter name.
#[grad(tangent)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
