use autodiff::grad;

// `input` is data here: `#[grad(w)]` leaves it out.
#[grad(w)]
fn layer(w: &[f64], input: Vec<f64>) -> Vec<f64> {
    input.iter().zip(w).map(|(a, b)| a * b).collect()
}

// After the first layer `h` depends on `w`: the second call's `input` would lose its
// gradient.
#[grad(w)]
fn two_layers(w: &[f64], input: Vec<f64>) -> Vec<f64> {
    let mut h = input;
    for _ in 0..2 {
        h = layer(w, h);
    }
    h
}

fn main() {}
