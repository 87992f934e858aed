use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Dense {
    w: [f64; 3],
}

// No `#[grad]` here: `forward` has no `forward_adjoint`.
impl Dense {
    fn forward(&self, x: &[f64; 3]) -> f64 {
        self.w[0] * x[0] + self.w[1] * x[1] + self.w[2] * x[2]
    }
}

#[derive(Clone, Params)]
struct Stack {
    layers: Vec<Dense>,
}

// A sub-model's method is differentiated through the `_adjoint` its `#[grad]` writes.
#[grad]
fn stacked(net: &Stack, x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for l in &net.layers {
        s += l.forward(x);
    }
    s
}

fn main() {}
