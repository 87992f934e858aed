use autodiff::{grad, Float};

// smartcore's metrics over a vector trait: `&V` passes through as data, so `mse_grad` would
// return a gradient of `()`.
pub trait BaseVector<T> {
    fn get(&self, i: usize) -> T;
    fn len(&self) -> usize;
}

#[grad]
fn mse<T: Float, V: BaseVector<T>>(y_true: &V, y_pred: &V) -> T {
    let mut rss = T::zero();
    for i in 0..y_true.len() {
        rss = rss + (y_true.get(i) - y_pred.get(i)).powi(2);
    }
    rss / T::from(y_true.len()).unwrap()
}

// Integers only.
#[grad]
fn harmonic(n: usize) -> f64 {
    (1..=n).map(|k| 1.0 / k as f64).sum()
}

fn main() {}
