use autodiff::grad;

// `helper` has an `_adjoint` but no `_tangent`: forward mode of `f` needs
// `#[grad(modes(tangent))]` on `helper` too (or a hand-written `helper_tangent`).
#[grad]
fn helper(x: f64) -> f64 {
    x * x
}

#[grad(modes(tangent))]
fn f(x: f64) -> f64 {
    2.0 * helper(x)
}

fn main() {}
