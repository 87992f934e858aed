// Counts, flags, indices and names are data, not parameters: left out of the model without
// `#[params(skip)]`, kept as they are in its gradient, read as data by `#[grad]`.
use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Net {
    w: [f64; 3],
    n: usize,
    trained: bool,
    classes: [u8; 3],
    mask: Vec<bool>,
    name: String,
}

#[grad(net)]
fn score(net: &Net, x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..net.n {
        if net.mask[i] {
            s += net.w[i] * x[i];
        }
    }
    s
}

fn main() {
    let net = Net {
        w: [1.0, 2.0, 3.0],
        n: 3,
        trained: false,
        classes: [1, 2, 3],
        mask: vec![true, false, true],
        name: "net".to_string(),
    };
    assert_eq!(net.num_scalars(), 3);
    let (value, d_net) = score_grad(&net, &[0.5, 0.5, 2.0]);
    assert_eq!(value, 0.5 + 6.0);
    assert_eq!(d_net.w, [0.5, 0.0, 2.0]);
    assert_eq!(d_net.classes, net.classes);
    assert_eq!((d_net.n, d_net.trained, &d_net.name), (3, false, &net.name));
}
