// An alias of a matrix type behind `&` (optics' `RayMatrix`, an ABCD matrix), indexed: one
// error that says to write the type out, and no other from the items left for callers.
use autodiff::grad;

pub type RayMatrix = [[f64; 2]; 2];

#[grad]
pub fn ray_height(matrix: &RayMatrix, height: f64, angle: f64) -> f64 {
    matrix[0][0] * height + matrix[0][1] * angle
}

fn main() {
    let m = [[2.0, 3.0], [0.0, 1.0]];
    let _ = ray_height_grad(&m, 0.5, 0.1);
}
