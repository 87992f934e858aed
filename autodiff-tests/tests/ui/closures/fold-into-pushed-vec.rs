// A fold whose accumulator is a `Vec` it pushes into (a causal estimator's split of treated
// and control outcomes): the message says to collect, or push in a `for` loop.
use autodiff::grad;

#[grad]
fn treated_mean(y: &[f64], treated: &[bool]) -> f64 {
    let (t, _c): (Vec<f64>, Vec<f64>) = y.iter().zip(treated).fold(
        (Vec::new(), Vec::new()),
        |(mut t, mut c), (&v, &is)| {
            if is {
                t.push(v);
            } else {
                c.push(v);
            }
            (t, c)
        },
    );
    t.iter().sum::<f64>() / t.len() as f64
}

fn main() {}
