//! The lectures' computation graphs: values and gradients from `#[grad]`, each printed next
//! to central finite differences (`autodiff::gradcheck`).
//!
//! ```text
//! cargo run --example comp_graph
//! ```

use autodiff::gradcheck::check_gradient;
use autodiff::{activation, grad};

/// L = c (a + 2b)
#[grad]
fn graph_l(a: f64, b: f64, c: f64) -> f64 {
    c * (a + 2.0 * b)
}

/// f = (x + y) z
#[grad]
fn graph_f(x: f64, y: f64, z: f64) -> f64 {
    (x + y) * z
}

/// A sigmoid neuron: f(w, x) = σ(w0 x0 + w1 x1 + w2).
#[grad]
fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    activation::sigmoid(w[0] * x[0] + w[1] * x[1] + w[2])
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (l, (da, db, dc)) = graph_l_grad(3.0, 1.0, -2.0);
    compare(
        "L = c(a + 2b) at a = 3, b = 1, c = -2",
        l,
        &["∂L/∂a", "∂L/∂b", "∂L/∂c"],
        &[da, db, dc],
        |p| graph_l(p[0], p[1], p[2]),
        &[3.0, 1.0, -2.0],
    );

    let (f, (dx, dy, dz)) = graph_f_grad(-2.0, 5.0, -4.0);
    compare(
        "f = (x + y)z at x = -2, y = 5, z = -4",
        f,
        &["∂f/∂x", "∂f/∂y", "∂f/∂z"],
        &[dx, dy, dz],
        |p| graph_f(p[0], p[1], p[2]),
        &[-2.0, 5.0, -4.0],
    );

    let (w, x) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let (f, (d_w, d_x)) = neuron_grad(w, x);
    compare(
        "f = σ(w0 x0 + w1 x1 + w2) at w = [2, -3, -3], x = [-1, -2]",
        f,
        &["∂f/∂w0", "∂f/∂w1", "∂f/∂w2", "∂f/∂x0", "∂f/∂x1"],
        &[d_w[0], d_w[1], d_w[2], d_x[0], d_x[1]],
        |p| neuron([p[0], p[1], p[2]], [p[3], p[4]]),
        &[w[0], w[1], w[2], x[0], x[1]],
    );
    Ok(())
}

/// Prints the value and each partial derivative next to its central difference.
fn compare(
    title: &str,
    value: f64,
    names: &[&str],
    analytic: &[f64],
    f: impl Fn(&[f64]) -> f64,
    point: &[f64],
) {
    let report = check_gradient(f, point, analytic);
    println!("{title}\n  value {value:.4}");
    println!("  {:<8} {:>10} {:>16}", "", "#[grad]", "finite diff.");
    for (i, name) in names.iter().enumerate() {
        println!(
            "  {name:<8} {:>10.4} {:>16.10}",
            report.analytic[i], report.numeric[i]
        );
    }
    println!(
        "  worst absolute error {:.1e}, relative {:.1e}\n",
        report.max_abs_error, report.max_rel_error
    );
}
