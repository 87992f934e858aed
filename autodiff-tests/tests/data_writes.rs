//! Writes through parameters the function does not differentiate (`*calls += 1` of a `&mut
//! usize`, `hist[i] += 1` of a `&mut Vec<usize>`, `stats.evals += 1` of a `&mut Stats`):
//! they run as written, once per call, in every generated function.

use autodiff::grad;

#[grad(x, modes(tangent))]
fn counted(x: &[f64], calls: &mut usize) -> f64 {
    *calls += 1;
    x.iter().map(|v| v * v).sum()
}

pub struct Stats {
    pub evals: usize,
    pub positive: Vec<usize>,
    pub scale: f64,
}

#[grad(x)]
fn tallied(x: &[f64], stats: &mut Stats, hist: &mut [usize]) -> f64 {
    stats.evals += 1;
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        if *v > 0.0 {
            hist[i] += 1;
            stats.positive.push(i);
        }
        s += v * v * stats.scale;
    }
    stats.scale = 2.0;
    s
}

#[test]
fn a_counter_counts_each_call_once() {
    let x = [1.0, -2.0, 3.0];
    let mut calls = 0;
    let (value, g) = counted_grad(&x, &mut calls);
    assert_eq!((value, g, calls), (14.0, vec![2.0, -4.0, 6.0], 1));
    let mut d_x = [0.0; 3];
    counted_adjoint(&x, &mut calls, 1.0, &mut d_x[..]);
    let (_, tangent) = counted_tangent(&x, &mut calls, &[1.0, 0.0, 0.0]);
    assert_eq!((d_x, tangent, calls), ([2.0, -4.0, 6.0], 2.0, 3));
    assert_eq!(counted(&x, &mut calls), 14.0);
    assert_eq!(calls, 4);
}

#[test]
fn fields_and_elements_of_data_are_written_as_the_function_does() {
    let x = [1.0, -2.0, 3.0];
    let fresh = || Stats {
        evals: 0,
        positive: Vec::new(),
        scale: 1.5,
    };
    let (mut by_grad, mut by_fn) = (fresh(), fresh());
    let (mut hist_grad, mut hist_fn) = (vec![0; 3], vec![0; 3]);
    let (value, g) = tallied_grad(&x, &mut by_grad, &mut hist_grad);
    assert_eq!(value, tallied(&x, &mut by_fn, &mut hist_fn));
    assert_eq!(g, vec![3.0, -6.0, 9.0]);
    for (s, hist) in [(&by_grad, &hist_grad), (&by_fn, &hist_fn)] {
        assert_eq!((s.evals, &s.positive, s.scale), (1, &vec![0, 2], 2.0));
        assert_eq!(hist, &vec![1, 0, 1]);
    }
}
