// A model's field read with three indices (LSTM gate weights as one `[[[f64; 3]; 2]; 4]`, a
// `Vec` of covariance matrices read through a local): `#[derive(Params)]` takes any nesting,
// but the sweeps track vectors and matrices. Each read says so, with the split that works (it
// was an error inside the generated code, or "too many indices").
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct Gates {
    w: [[[f64; 3]; 2]; 4],
}

#[grad]
fn gate_product(m: &Gates) -> f64 {
    m.w[1][0][2] * m.w[3][1][0]
}

#[derive(Clone, Debug, autodiff::Params)]
struct Mixture {
    covariances: Vec<[[f64; 2]; 2]>,
}

#[grad]
fn off_diagonal(m: &Mixture) -> f64 {
    let c = &m.covariances[1];
    c[0][1] * c[1][0]
}

fn main() {}
