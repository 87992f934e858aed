// A stateful model whose one method updates its stores in place (hydro-models-rs's
// `GR4JModel::run(&mut self, ..)`): the block leaves such a method as written.
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
pub struct LinearReservoir {
    pub k: f64,
    pub store: f64,
}

#[grad(self)]
impl LinearReservoir {
    pub fn run(&mut self, inflow: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in inflow {
            let q = self.store / self.k;
            self.store = self.store + i - q;
            total += q;
        }
        total
    }
}

fn main() {}
