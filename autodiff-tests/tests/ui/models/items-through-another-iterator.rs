use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Layer {
    w: f64,
}

#[derive(Clone, Debug, Params)]
struct Net {
    layers: Vec<Layer>,
}

#[grad]
fn unit(l: &Layer, x: f64) -> f64 {
    l.w * x
}

// The fields of items of a sequence of sub-models read through `.zip(..).enumerate()` and
// `.skip(1).zip(..)`: iterators the macro does not lend items through (it would take the items
// for numbers); the supported forms, or an index loop, say the same.
#[grad(net)]
fn loss(net: &Net, x: f64, s: &[f64]) -> f64 {
    let mut t = 0.0;
    for (k, (l, c)) in net.layers.iter().zip(s.iter()).enumerate() {
        t += unit(l, x) * l.w * c * k as f64;
    }
    for (l, c) in net.layers.iter().skip(1).zip(s) {
        t += l.w * c;
    }
    t
}

fn main() {}
