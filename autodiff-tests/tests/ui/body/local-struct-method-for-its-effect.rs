// A `&mut self` method called for its effect on a local struct (bs1770's Kahan `Sum::add`):
// the struct is kept as its fields, and what the method does to them is out of sight.
use autodiff::grad;

pub struct Sum {
    pub sum: f64,
    pub residue: f64,
}

impl Sum {
    pub fn add(&mut self, x: f64) {
        let y = x - self.residue;
        let t = self.sum + y;
        self.residue = (t - self.sum) - y;
        self.sum = t;
    }
}

#[grad]
fn mean_square(z: &[f64]) -> f64 {
    let mut square_sum = Sum { sum: 0.0, residue: 0.0 };
    for &v in z {
        square_sum.add(v * v);
    }
    square_sum.sum / z.len() as f64
}

fn main() {}
