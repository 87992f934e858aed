use autodiff::grad;

#[grad(modes(hvp, hessian))]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() / 2 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        total += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    total
}

#[test]
fn smoke() {
    let x = [1.2, 0.8, -0.5, 0.3];
    let (v, g, hv) = rosenbrock_hvp(&x, &[1.0, 0.0, 0.0, 0.0]);
    println!("{v} {g:?} {hv:?}");
    let (v2, g2, h) = rosenbrock_hessian(&x);
    println!("{v2} {g2:?} {h:?}");
}
