use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Layer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, Params)]
struct Mlp {
    layers: Vec<Layer>,
}

// A field of the sequence's items iterated whole (`&l.w`): read one number at a time it is
// differentiated (`l.w[j]`, tests/item_fields.rs).
#[grad(self)]
impl Mlp {
    fn weight_decay(&self) -> f64 {
        let mut s = 0.0;
        for l in &self.layers {
            for row in &l.w {
                s += row.iter().map(|w| w * w).sum::<f64>();
            }
        }
        s
    }
}

fn main() {}
