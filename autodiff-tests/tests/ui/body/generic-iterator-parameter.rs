use autodiff::grad;

// puruspe's `polynomial`: coefficients of a type the function is generic over.
#[grad]
pub fn polynomial<I>(x: f64, coefficients: I) -> f64
where
    I: IntoIterator<Item = f64>,
{
    coefficients
        .into_iter()
        .fold(0.0, |acc, coeff| acc * x + coeff)
}

#[grad]
pub fn weighted(x: f64, weights: impl IntoIterator<Item = f64>) -> f64 {
    let mut total = 0.0;
    for w in weights {
        total += w * x.sin();
    }
    total
}

fn main() {}
