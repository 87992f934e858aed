use autodiff::grad;

/// del-geo's `vec3::cross_mut`: writes `v1 x v2` into `vo`.
pub fn cross_mut(vo: &mut [f64; 3], v1: &[f64; 3], v2: &[f64; 3]) {
    vo[0] = v1[1] * v2[2] - v2[1] * v1[2];
    vo[1] = v1[2] * v2[0] - v2[2] * v1[0];
    vo[2] = v1[0] * v2[1] - v2[0] * v1[1];
}

// A row of a local matrix written through a call (del-fem's St. Venant-Kirchhoff triangle):
// its `_adjoint` could not pull the derivative back. (It compiled to `&g[0]`, a type error
// inside the generated code.)
#[grad]
pub fn area_squared(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let mut g = [[0.0; 3]; 2];
    cross_mut(&mut g[0], a, b);
    g[0][0] * g[0][0] + g[0][1] * g[0][1] + g[0][2] * g[0][2]
}

fn main() {}
