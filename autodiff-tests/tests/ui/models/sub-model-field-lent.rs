use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

#[derive(Clone, Debug, Params)]
struct Net {
    layers: Vec<Layer>,
    blocks: Vec<Block>,
}

#[derive(Clone, Debug, Params)]
struct Block {
    inner: Layer,
}

#[grad(x)]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

// A field of an item lent whole to a call, and iterated: read number by number it is
// differentiated (`l.w[j]` over `0..l.w.len()`). A field of a sub-model inside an item, and
// of an item reached by an iterator (by an index, `first()` or `last()` it is read).
#[grad(net)]
fn loss(net: &Net, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for l in &net.layers {
        s += dot(&l.w, x) + l.b;
        for w in l.w.iter() {
            s += w * w;
        }
    }
    for b in &net.blocks {
        s += b.inner.b;
    }
    s + net.layers.iter().next().unwrap().b
}

fn main() {}
