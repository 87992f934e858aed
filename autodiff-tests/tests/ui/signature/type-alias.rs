use autodiff::grad;

type Vec3 = [f64; 3];

// The macro sees only the function: an alias of an array type is not seen through, as a
// parameter (taken for a model) or as the result.
#[grad]
fn norm(a: Vec3) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}

#[grad]
fn scale(a: [f64; 3], s: f64) -> Vec3 {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn main() {}
