// A model taken by value whose fields the body never reads, only a method without
// arguments (`p.length()`): under a bare `#[grad]` such a parameter is data (a flag's getter,
// `curve.alpha()`), which for a `Params` model would drop its gradient without a word; the
// error names what to write, `#[grad(p, r)]`.
use autodiff::{grad, Params};

#[derive(Clone, Copy, Debug, Params)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

#[grad(self)]
impl Vec3 {
    pub fn length(&self) -> f64 {
        (self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }
}

#[grad]
pub fn sphere(p: Vec3, r: f64) -> f64 {
    p.length() - r
}

fn main() {}
