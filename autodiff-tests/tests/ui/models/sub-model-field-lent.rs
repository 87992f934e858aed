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

// A field of an item iterated: read number by number (`l.w[j]` over `0..l.w.len()`) or lent
// whole to a call (`dot(&l.w, x)`) it is differentiated. A field of a sub-model inside an
// item, and of an item reached by an iterator (by an index, `first()` or `last()` it is read).
#[grad(net)]
fn loss(net: &Net, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for l in &net.layers {
        s += l.b * x[0];
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
