//! The lecture's sentiment classifier: logistic regression on 6 hand-made features of a
//! movie review, then one step of gradient descent on a 2-feature version.
//!
//! ```text
//! cargo run --example logistic_sentiment
//! ```
// The two `#[grad]` models, `p_positive` (P(positive | x) = σ(w · x + b)) and the 2-feature
// `logistic_loss` of the model `Logistic`, are in models/logistic_sentiment.rs,
// shared with tests/training.rs.
#[path = "models/logistic_sentiment.rs"]
mod logistic_sentiment;

use autodiff::loss;
use autodiff::optim::{Optimizer, SgdConfig};
use logistic_sentiment::{logistic_loss_grad, p_positive_grad, Logistic};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    // x: positive words, negative words, "no", pronouns, "!", ln(word count = 66)
    let w = [2.5, -5.0, -1.2, 0.5, 2.0, 0.7];
    let x = [3.0, 2.0, 1.0, 3.0, 0.0, 66f64.ln()];
    let b = 0.1;
    let (p, (d_w, d_x, d_b)) = p_positive_grad(&w, &x, b);
    println!("sentiment: σ(w·x + b) = {p:.4}  (P(positive review))");
    println!(
        "  BCE if the review is positive (y = 1): {:.4}",
        loss::bce(p, 1.0)
    );
    println!(
        "  BCE if the review is negative (y = 0): {:.4}",
        loss::bce(p, 0.0)
    );
    println!("  ∂σ/∂w = {}", fmt(&d_w));
    println!("  ∂σ/∂x = {}", fmt(&d_x));
    println!("  ∂σ/∂b = {d_b:.4}");

    // One gradient-descent step from w1 = w2 = b = 0 on x = [3, 2], y = 1, η = 0.1.
    let (x, y, eta) = ([3.0, 2.0], 1.0, 0.1);
    let mut theta = Logistic {
        w: [0.0, 0.0],
        b: 0.0,
    };
    let (loss, gradient) = logistic_loss_grad(&theta, &x, y);
    println!("\none step of gradient descent from θ = [w1, w2, b] = [0, 0, 0], η = {eta}:");
    println!("  loss at θ:      {loss:.4}");
    println!("  gradient:       {gradient:?}");
    // θ ← θ - η ∇L, by the library's SGD optimizer: the gradient is a `Logistic` too.
    SgdConfig::new()
        .with_learning_rate(eta)
        .build()?
        .step(&mut theta, &gradient);
    println!("  new θ:          {theta:?}");
    let (new_loss, _) = logistic_loss_grad(&theta, &x, y);
    println!("  loss at new θ:  {new_loss:.4}");
    Ok(())
}

fn fmt(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|g| format!("{g:.4}")).collect();
    format!("[{}]", parts.join(", "))
}
