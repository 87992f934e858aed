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

// Fields of the sequence's items iterated whole (`&l.w`) or of an item reached through
// `.last().unwrap()`: read one number at a time from an item picked by an index they are
// differentiated (`self.layers[0].b[0]`, tests/item_fields.rs).
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

    fn first_bias(&self) -> f64 {
        self.layers[0].b[0] + self.layers.last().unwrap().b[0]
    }
}

fn main() {}
