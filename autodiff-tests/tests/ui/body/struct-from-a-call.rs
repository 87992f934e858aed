use autodiff::{grad, Params};
use std::ops::Mul;

#[derive(Clone, Copy, Debug, Params)]
struct Quat {
    w: f64,
    z: f64,
}

impl Mul for Quat {
    type Output = Quat;
    fn mul(self, o: Quat) -> Quat {
        Quat {
            w: self.w * o.w - self.z * o.z,
            z: self.w * o.z + self.z * o.w,
        }
    }
}

#[grad(self)]
impl Quat {
    fn doubled(&self) -> Quat {
        Quat {
            w: 2.0 * self.w,
            z: self.z,
        }
    }

    // A struct a method returns, read by field.
    fn yaw(&self) -> f64 {
        let q = self.doubled();
        q.w * q.z
    }
}

// An operator a struct implements.
#[grad]
fn twist(a: &Quat, b: &Quat) -> f64 {
    let c = *a * *b;
    c.w
}

fn main() {}
