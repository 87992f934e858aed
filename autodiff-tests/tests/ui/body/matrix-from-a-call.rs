use autodiff::{grad, Shadow};

// A matrix-valued helper with a hand-written pullback: the sweeps take a call's result as a
// float or a vector only.
fn rot_z(t: f64) -> [[f64; 3]; 3] {
    let (s, c) = t.sin_cos();
    [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
}

#[allow(dead_code)]
fn rot_z_adjoint<DT: Shadow<f64>>(t: f64, d_out: &[[f64; 3]; 3], mut d_t: DT) -> [[f64; 3]; 3] {
    let (s, c) = t.sin_cos();
    d_t.add(-s * d_out[0][0] - c * d_out[0][1] + c * d_out[1][0] - s * d_out[1][1]);
    rot_z(t)
}

#[grad]
fn rotated_x(t: f64, p: &[f64; 3]) -> f64 {
    let r: [[f64; 3]; 3] = rot_z(t);
    r[0][0] * p[0] + r[0][1] * p[1] + r[0][2] * p[2]
}

fn main() {}
