//! Arrays, slices and loops: every reverse sweep checked against central finite differences
//! (and exact values where known) on random sizes and inputs.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::{grad, Const};
use common::{assert_close, assert_matches_fd, Rng};
use proptest::prelude::*;

#[grad]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[grad]
#[allow(clippy::ptr_arg)] // `&Vec<T>` parameters are part of the contract
fn dot_zip(x: &[f64], y: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for (a, b) in x.iter().zip(y.iter()) {
        s += a * b;
    }
    s
}

#[grad]
fn self_dot(u: &[f64]) -> f64 {
    dot(u, u)
}

#[grad]
fn matvec_norm(w: &[[f64; 3]; 4], x: &[f64; 3]) -> f64 {
    let mut y = [0.0; 4];
    for i in 0..4 {
        for j in 0..3 {
            y[i] += w[i][j] * x[j];
        }
    }
    let mut s = 0.0;
    for v in y.iter() {
        s += v * v;
    }
    s
}

#[grad]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for k in (0..c.len()).rev() {
        acc = acc * x + c[k];
    }
    acc
}

#[grad]
fn running_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        m = m.max(x[i]);
    }
    m
}

#[grad]
fn product(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for &v in x.iter() {
        p *= v;
    }
    p
}

#[grad]
fn recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[grad]
fn softmax_cross_entropy(logits: &[f64], class: usize) -> f64 {
    let mut m = logits[0];
    for &z in logits.iter() {
        m = m.max(z);
    }
    let mut s = 0.0;
    for &z in logits.iter() {
        s += (z - m).exp();
    }
    m + s.ln() - logits[class]
}

const D: usize = 4;
const H: usize = 5;

#[grad]
fn two_layer(w1: &[[f64; D]; H], b1: &[f64; H], w2: &[f64; H], b2: f64, x: &[f64; D]) -> f64 {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = b1[j];
        for k in 0..D {
            z += w1[j][k] * x[k];
        }
        a1[j] = z.max(0.0);
    }
    let mut z2 = b2;
    for j in 0..H {
        z2 += w2[j] * a1[j];
    }
    1.0 / (1.0 + (-z2).exp())
}

#[grad(w, b)]
fn batched_mse(w: &[f64], b: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let n = ys.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut pred = b;
        for j in 0..d {
            pred += w[j] * xs[i * d + j];
        }
        let e = pred - ys[i];
        total += e * e;
    }
    total / n as f64
}

#[grad(w, b)]
fn batched_bce(w: &[f64], b: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let n = ys.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut z = b;
        for j in 0..d {
            z += w[j] * xs[i * d + j];
        }
        // Stable BCE with logits.
        total += z.max(0.0) - z * ys[i] + (-z.abs()).exp().ln_1p();
    }
    total / n as f64
}

#[grad]
fn while_with_early_exit(x: &[f64], limit: f64) -> f64 {
    let mut i = 0;
    let mut s = 0.0;
    while i < x.len() {
        s += x[i] * x[i];
        if s > limit {
            return s.sqrt();
        }
        i += 1;
    }
    s
}

#[grad]
fn loop_with_break(x: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    loop {
        y = y * 0.9 + y.sin();
        n += 1;
        if n >= 7 {
            break;
        }
    }
    y
}

#[grad]
fn triangular(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for j in 0..=i {
            s += x[i] * x[j].cos();
        }
    }
    s
}

#[grad]
fn continue_and_match(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, &v) in x.iter().enumerate() {
        if v < -2.0 {
            continue;
        }
        s += match i % 3 {
            0 => v * v,
            1 => v.sin(),
            _ => -v,
        };
    }
    s
}

#[grad]
fn step_by_and_inclusive(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len()).step_by(2) {
        s += x[i].exp();
    }
    for i in 1..=2 {
        s *= x[i];
    }
    s
}

#[grad]
fn local_vec(x: &[f64]) -> f64 {
    let n = x.len();
    let mut h = vec![0.0; n];
    for i in 0..n {
        h[i] = x[i].tanh();
    }
    // Overwrite: the reverse sweep must use the values each statement saw.
    for i in 1..n {
        h[i] = h[i] * h[i - 1] + x[i];
    }
    let mut s = 0.0;
    for i in 0..n {
        s += h[i] * h[i];
    }
    s
}

#[grad]
fn calls_in_loops(w: &[[f64; 3]; 2], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for j in 0..2 {
        let z = dot(&w[j], x);
        s += autodiff::activation::sigmoid(z) + horner(x, w[j][0]);
    }
    s
}

const START: f64 = 0.5;

/// A carried value that starts at a constant of unknown type.
#[grad]
fn starts_at_a_constant(x: &[f64]) -> f64 {
    let mut s = START;
    for i in 0..x.len() {
        s = s.sin() + s * x[i];
    }
    s
}

const SCALE: f64 = 0.9;

/// Its first use multiplies two values of unknown type: only the assignment tells it is a
/// float, so the body is lowered again knowing that.
#[grad]
fn constant_times_constant_in_a_loop(x: &[f64]) -> f64 {
    let mut s = START;
    for i in 0..x.len() {
        s = s * SCALE + x[i] * s;
    }
    s
}

/// A generic function with a local buffer, nested loops, a branch and a runtime primitive.
#[grad]
fn generic_layer<T: autodiff::Float>(w: &[[T; 3]; 2], x: &[T], bias: T) -> T {
    let mut h = [T::zero(); 2];
    for j in 0..2 {
        let mut z = bias;
        for k in 0..3 {
            z = z + w[j][k] * x[k];
        }
        h[j] = if z > T::zero() {
            z
        } else {
            z * T::from(0.1).unwrap()
        };
    }
    let mut s = T::zero();
    for v in h.iter() {
        s = s + autodiff::activation::softplus(*v);
    }
    s
}

fn flat(parts: &[&[f64]]) -> Vec<f64> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

#[test]
fn dot_product_exact_and_accumulating() {
    let (x, y) = ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
    let (v, (dx, dy)) = dot_grad(&x, &y);
    assert_eq!(v, 32.0);
    assert_eq!(dx, y.to_vec());
    assert_eq!(dy, x.to_vec());
    let (v2, (dx2, _)) = dot_zip_grad(&x, &y.to_vec());
    assert_eq!((v2, dx2), (v, dx));
    let (s, du) = self_dot_grad(&x);
    assert_eq!(s, 14.0);
    assert_eq!(du, vec![2.0, 4.0, 6.0]);
    // Accumulation into reused buffers, data as Const.
    let mut acc = vec![1.0; 3];
    dot_adjoint(&x, &y, 0.5, &mut acc, Const);
    dot_adjoint(&x, &y, 0.5, &mut acc, Const);
    assert_eq!(acc, vec![5.0, 6.0, 7.0]);
}

#[test]
#[should_panic(expected = "the shadow of `x` has 2 elements but `x` has 3")]
fn slice_shadow_of_wrong_length_panics_with_the_parameter_name() {
    let mut short = [0.0; 2];
    dot_adjoint(
        &[1.0, 2.0, 3.0],
        &[1.0, 2.0, 3.0],
        1.0,
        &mut short[..],
        Const,
    );
}

#[test]
fn matrix_vector_product() {
    let mut rng = Rng::new(3);
    let mut w = [[0.0; 3]; 4];
    for row in w.iter_mut() {
        for v in row.iter_mut() {
            *v = rng.uniform(-1.0, 1.0);
        }
    }
    let x = [0.5, -1.0, 2.0];
    let (_, (dw, dx)) = matvec_norm_grad(&w, &x);
    let f = |v: &[f64]| {
        let mut w = [[0.0; 3]; 4];
        for i in 0..4 {
            w[i].copy_from_slice(&v[i * 3..i * 3 + 3]);
        }
        matvec_norm(&w, &[v[12], v[13], v[14]])
    };
    let mut point: Vec<f64> = w.iter().flatten().copied().collect();
    point.extend(x);
    let mut analytic: Vec<f64> = dw.iter().flatten().copied().collect();
    analytic.extend(dx);
    assert_matches_fd(&f, &point, &analytic, "matvec");
}

#[test]
fn horner_polynomial_exact() {
    // p(x) = 1 + 2x + 3x^2: p'(x) = 2 + 6x, dp/dc_k = x^k.
    let (v, (dc, dx)) = horner_grad(&[1.0, 2.0, 3.0], 2.0);
    assert_eq!(v, 17.0);
    assert_eq!(dc, vec![1.0, 2.0, 4.0]);
    assert_eq!(dx, 14.0);
}

#[test]
fn running_max_follows_the_first_of_ties() {
    let (m, d) = running_max_grad(&[1.0, 3.0, 2.0, 3.0]);
    assert_eq!(m, 3.0);
    // max(m, x) ties go to the running max (the first argument): the earlier 3 wins.
    assert_eq!(d, vec![0.0, 1.0, 0.0, 0.0]);
}

#[test]
fn product_of_a_slice_exact() {
    let (p, d) = product_grad(&[2.0, 3.0, 4.0]);
    assert_eq!(p, 24.0);
    assert_eq!(d, vec![12.0, 8.0, 6.0]);
}

#[test]
fn recurrence_over_many_steps() {
    let mut rng = Rng::new(5);
    for steps in [1, 2, 100, 257] {
        let w = rng.vec(steps, -1.0, 1.0);
        let x0 = rng.uniform(-1.0, 1.0);
        let (v, (dx0, dw)) = recurrence_grad(x0, &w);
        assert_eq!(v, recurrence(x0, &w));
        let f = |p: &[f64]| recurrence(p[0], &p[1..]);
        assert_matches_fd(&f, &flat(&[&[x0], &w]), &flat(&[&[dx0], &dw]), "recurrence");
    }
}

#[test]
fn softmax_cross_entropy_gradient_is_softmax_minus_one_hot() {
    let logits = [1.0, -0.5, 2.0, 0.3];
    let (loss, d) = softmax_cross_entropy_grad(&logits, 2);
    let z: f64 = logits.iter().map(|v| v.exp()).sum();
    assert_close(loss, z.ln() - 2.0, 1e-12);
    for (i, g) in d.iter().enumerate() {
        let expected = logits[i].exp() / z - if i == 2 { 1.0 } else { 0.0 };
        assert_close(*g, expected, 1e-12);
    }
    // Stable at large logits.
    let (loss, d) = softmax_cross_entropy_grad(&[1000.0, -1000.0, 999.0], 0);
    assert!(loss.is_finite() && d.iter().all(|v| v.is_finite()));
}

#[test]
fn two_layer_network_against_finite_differences() {
    let mut rng = Rng::new(9);
    for _ in 0..20 {
        let mut w1 = [[0.0; D]; H];
        for row in w1.iter_mut() {
            for v in row.iter_mut() {
                *v = rng.uniform(-1.0, 1.0);
            }
        }
        let b1: [f64; H] = std::array::from_fn(|_| rng.uniform(-0.5, 0.5));
        let w2: [f64; H] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let b2 = rng.uniform(-0.5, 0.5);
        let x: [f64; D] = std::array::from_fn(|_| rng.uniform(-2.0, 2.0));
        let (v, (dw1, db1, dw2, db2, dx)) = two_layer_grad(&w1, &b1, &w2, b2, &x);
        assert_eq!(v, two_layer(&w1, &b1, &w2, b2, &x));
        let f = |p: &[f64]| {
            let mut w1 = [[0.0; D]; H];
            for j in 0..H {
                w1[j].copy_from_slice(&p[j * D..(j + 1) * D]);
            }
            let o = H * D;
            let b1: [f64; H] = p[o..o + H].try_into().unwrap();
            let w2: [f64; H] = p[o + H..o + 2 * H].try_into().unwrap();
            let x: [f64; D] = p[o + 2 * H + 1..].try_into().unwrap();
            two_layer(&w1, &b1, &w2, p[o + 2 * H], &x)
        };
        let w1_flat: Vec<f64> = w1.iter().flatten().copied().collect();
        let dw1_flat: Vec<f64> = dw1.iter().flatten().copied().collect();
        let point = flat(&[&w1_flat, &b1, &w2, &[b2], &x]);
        let analytic = flat(&[&dw1_flat, &db1, &dw2, &[db2], &dx]);
        assert_matches_fd(&f, &point, &analytic, "two-layer network");
    }
}

#[test]
fn batched_losses_against_finite_differences() {
    let mut rng = Rng::new(21);
    let (n, d) = (16, 3);
    let xs = rng.vec(n * d, -2.0, 2.0);
    let ys_real = rng.vec(n, -1.0, 1.0);
    let ys_label: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    let w = rng.vec(d, -1.0, 1.0);
    let b = 0.3;
    let (_, (dw, db)) = batched_mse_grad(&w, b, &xs, &ys_real);
    let f = |p: &[f64]| batched_mse(&p[..d], p[d], &xs, &ys_real);
    assert_matches_fd(&f, &flat(&[&w, &[b]]), &flat(&[&dw, &[db]]), "batched mse");
    let (_, (dw, db)) = batched_bce_grad(&w, b, &xs, &ys_label);
    let f = |p: &[f64]| batched_bce(&p[..d], p[d], &xs, &ys_label);
    assert_matches_fd(&f, &flat(&[&w, &[b]]), &flat(&[&dw, &[db]]), "batched bce");
}

#[test]
fn while_loop_with_early_return() {
    let x = [0.5, 1.0, 2.0, 3.0];
    for limit in [0.1, 1.0, 4.0, 100.0] {
        let (v, (dx, dl)) = while_with_early_exit_grad(&x, limit);
        assert_eq!(v, while_with_early_exit(&x, limit));
        assert_eq!(dl, 0.0);
        let f = |p: &[f64]| while_with_early_exit(p, limit);
        assert_matches_fd(&f, &x, &dx, "while with early exit");
    }
}

#[test]
fn loop_with_break_counts_its_iterations() {
    for x in [-1.0, 0.2, 1.5] {
        let (v, d) = loop_with_break_grad(x);
        assert_eq!(v, loop_with_break(x));
        assert_matches_fd(
            &|p: &[f64]| loop_with_break(p[0]),
            &[x],
            &[d],
            "loop with break",
        );
    }
}

#[test]
fn calls_inside_loops() {
    let w = [[0.3, -0.2, 0.5], [-0.7, 0.1, 0.4]];
    let x = [1.0, -2.0, 0.5];
    let (_, (dw, dx)) = calls_in_loops_grad(&w, &x);
    let f = |p: &[f64]| {
        let w = [[p[0], p[1], p[2]], [p[3], p[4], p[5]]];
        calls_in_loops(&w, &[p[6], p[7], p[8]])
    };
    let point = flat(&[&w[0], &w[1], &x]);
    let analytic = flat(&[&dw[0], &dw[1], &dx]);
    assert_matches_fd(&f, &point, &analytic, "calls in loops");
}

#[test]
fn carried_value_starting_at_a_constant() {
    let x = [0.3, -1.2, 0.8, 2.0];
    let (v, d) = starts_at_a_constant_grad(&x);
    assert_eq!(v, starts_at_a_constant(&x));
    assert!(d.iter().all(|g| *g != 0.0));
    assert_matches_fd(
        &|p: &[f64]| starts_at_a_constant(p),
        &x,
        &d,
        "starts at a constant",
    );
}

#[test]
fn arithmetic_on_values_of_unknown_type_is_differentiated() {
    let x = [0.3, -1.2, 0.8, 2.0];
    let (v, d) = constant_times_constant_in_a_loop_grad(&x);
    assert_eq!(v, constant_times_constant_in_a_loop(&x));
    assert_matches_fd(
        &|p: &[f64]| constant_times_constant_in_a_loop(p),
        &x,
        &d,
        "constant times constant",
    );
}

#[test]
fn generic_arrays_and_loops_in_f64_and_f32() {
    let w = [[0.3, -0.2, 0.5], [-0.7, 0.1, 0.4]];
    let x = [1.0, -2.0, 0.5];
    let (v, (dw, dx, db)) = generic_layer_grad(&w, &x, 0.2);
    assert_eq!(v, generic_layer(&w, &x, 0.2));
    let f = |p: &[f64]| {
        let w = [[p[0], p[1], p[2]], [p[3], p[4], p[5]]];
        generic_layer(&w, &p[6..9], p[9])
    };
    let point = flat(&[&w[0], &w[1], &x, &[0.2]]);
    let analytic = flat(&[&dw[0], &dw[1], &dx, &[db]]);
    assert_matches_fd(&f, &point, &analytic, "generic layer");
    let w32 = w.map(|r| r.map(|v| v as f32));
    let x32 = x.map(|v| v as f32);
    let (v32, (dw32, dx32, db32)) = generic_layer_grad(&w32, &x32, 0.2f32);
    assert_close(v32 as f64, v, 1e-5);
    assert_close(db32 as f64, db, 1e-4);
    for (a, b) in dw32.iter().flatten().zip(dw.iter().flatten()) {
        assert_close(*a as f64, *b, 1e-4);
    }
    for (a, b) in dx32.iter().zip(&dx) {
        assert_close(*a as f64, *b, 1e-4);
    }
}

proptest! {
    #[test]
    fn loops_match_finite_differences_on_random_sizes(
        seed in 0u64..1000,
        n in 1usize..12,
    ) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.5, 1.5);
        let y = rng.vec(n, -1.5, 1.5);

        let (_, (dx, dy)) = dot_grad(&x, &y);
        assert_matches_fd(&|p: &[f64]| dot(&p[..n], &p[n..]), &flat(&[&x, &y]), &flat(&[&dx, &dy]), "dot");

        let (_, (dc, dt)) = horner_grad(&x, 0.7);
        assert_matches_fd(&|p: &[f64]| horner(&p[..n], p[n]), &flat(&[&x, &[0.7]]), &flat(&[&dc, &[dt]]), "horner");

        let (_, dp) = product_grad(&x);
        assert_matches_fd(&|p: &[f64]| product(p), &x, &dp, "product");

        let (_, dt) = triangular_grad(&x);
        assert_matches_fd(&|p: &[f64]| triangular(p), &x, &dt, "triangular");

        let (_, dl) = local_vec_grad(&x);
        assert_matches_fd(&|p: &[f64]| local_vec(p), &x, &dl, "local vec");

        // Away from the `continue` threshold.
        if x.iter().all(|v| (v + 2.0).abs() > 1e-3) {
            let (_, dm) = continue_and_match_grad(&x);
            assert_matches_fd(&|p: &[f64]| continue_and_match(p), &x, &dm, "continue and match");
        }
        if n >= 3 {
            let (_, ds) = step_by_and_inclusive_grad(&x);
            assert_matches_fd(&|p: &[f64]| step_by_and_inclusive(p), &x, &ds, "step_by");
        }
        let class = rng.below(n);
        let (_, dsm) = softmax_cross_entropy_grad(&x, class);
        assert_matches_fd(&|p: &[f64]| softmax_cross_entropy(p, class), &x, &dsm, "softmax ce");
    }
}

// ---- `break value` ----

/// Halve until below one: the loop's value is the last `y`, with a different `break` on
/// each side of an `if`.
#[grad(modes(tangent))]
fn halve_below_one(x: f64) -> f64 {
    let mut y = x;
    let z = loop {
        y = y * 0.5 + 0.1 * y.sin();
        if y < 1.0 {
            break y * y;
        } else if y > 100.0 {
            break y.ln();
        }
    };
    z * x
}

/// A loop that finds an index (an integer value), then a float one as the function's tail,
/// leaving through a labeled `break` in its own body.
#[grad]
fn first_above(x: &[f64], t: f64) -> f64 {
    let mut i = 0;
    let k = loop {
        if i + 1 >= x.len() || x[i] > t {
            break i;
        }
        i += 1;
    };
    let mut acc = x[k];
    let mut n = 0;
    'scan: loop {
        acc = acc * 0.5 + 0.1 * x[0];
        n += 1;
        if acc.abs() < 0.25 * t.abs() {
            break 'scan acc * t;
        }
        if n > 6 {
            return acc;
        }
    }
}

/// A loop's value assigned to an existing variable, inside a `for`.
#[grad]
fn assigned_loop_values(x: &[f64]) -> f64 {
    let mut total = 0.0;
    let mut last = 1.0_f64;
    for &v in x {
        let mut w = v;
        last = loop {
            w = 0.5 * w.sin() + 0.1 * last.tanh();
            if w.abs() < 0.3 {
                break w + 0.5 * last;
            }
        };
        total += last * v;
    }
    total
}

#[test]
fn break_with_a_value_matches_finite_differences() {
    let mut rng = Rng::new(7);
    for _ in 0..50 {
        let x = rng.uniform(0.2, 400.0);
        let (value, d_x) = halve_below_one_grad(x);
        assert_eq!(value, halve_below_one(x));
        assert_matches_fd(&|p| halve_below_one(p[0]), &[x], &[d_x], "halve_below_one");
        assert_close(halve_below_one_tangent(x, 1.0).1, d_x, 1e-12);

        let xs = rng.vec(6, -2.0, 2.0);
        let t = rng.uniform(0.3, 1.5);
        let (value, (d_xs, d_t)) = first_above_grad(&xs, t);
        assert_eq!(value, first_above(&xs, t));
        assert_matches_fd(&|p| first_above(p, t), &xs, &d_xs, "first_above (x)");
        assert_matches_fd(&|p| first_above(&xs, p[0]), &[t], &[d_t], "first_above (t)");

        let (value, d_xs) = assigned_loop_values_grad(&xs);
        assert_eq!(value, assigned_loop_values(&xs));
        assert_matches_fd(&assigned_loop_values, &xs, &d_xs, "assigned_loop_values");
    }
    // y = 3 -> 1.5 + 0.1 sin 3 -> ... below one after two halvings.
    let (value, _) = halve_below_one_grad(3.0);
    assert_eq!(value, halve_below_one(3.0));
}

/// A loop over a local array by value runs over a copy of it, as Rust's does, while the body
/// writes the array (probe, session 15: a WRONG value and gradient, the live array read).
#[grad]
fn running_into_itself(x: &[f64; 2]) -> f64 {
    let mut s = *x;
    for v in s {
        s[1] += v;
    }
    s[1]
}

#[grad]
fn running_into_itself_by_adaptors(x: &[f64; 2]) -> f64 {
    let mut s = *x;
    for (i, v) in s.into_iter().enumerate() {
        s[1] += v * i as f64;
    }
    for v in s.map(|t| t * 2.0) {
        s[0] += v;
    }
    s[0] * s[1]
}

#[test]
fn a_loop_over_a_local_array_by_value_reads_a_copy() {
    assert_eq!(running_into_itself_grad(&[1.0, 10.0]), (21.0, [1.0, 2.0]));
    // s = [1, 10] -> [1, 20] -> [1 + 2 + 40, 20] = [43, 20]
    let (value, d_x) = running_into_itself_by_adaptors_grad(&[1.0, 10.0]);
    assert_eq!(value, 43.0 * 20.0);
    // s0 = 3 x0 + 4 x1, s1 = 2 x1: d/dx0 = 3 * 20, d/dx1 = 4 * 20 + 43 * 2
    assert_eq!(d_x, [60.0, 80.0 + 86.0]);
}
