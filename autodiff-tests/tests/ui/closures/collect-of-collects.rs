use autodiff::grad;

#[grad]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

// A score matrix made by a collect of collects: one error, at the outer `collect`.
#[grad]
fn attention_lse(q: &[Vec<f64>], k: &[Vec<f64>]) -> f64 {
    let scores: Vec<Vec<f64>> = q
        .iter()
        .map(|qi| k.iter().map(|kj| dot(qi, kj)).collect())
        .collect();
    scores
        .iter()
        .map(|r| r.iter().map(|s| s.exp()).sum::<f64>().ln())
        .sum()
}

fn main() {}
