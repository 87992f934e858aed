//! Local structs of numbers built inside a `#[grad]` function (`let p = Point { x: a, y: b };`)
//! and read, written, copied and carried field by field; mutable tuples of numbers the same way
//! (`let mut z = (1.0, 0.0); z = (z.0 * a - z.1 * b, ..);`, rejected before: "binds `let`
//! patterns that are names"). Gradients against central differences on random inputs, and
//! against hand-derived values.

mod common;

use autodiff::{grad, Float};
use common::{assert_close, assert_matches_fd, Rng};

#[derive(Clone, Copy, Debug)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Clone, Copy)]
struct Complex<T> {
    re: T,
    im: T,
}

/// The lecture's first example with its values in a struct: L(a, b, c) = c (a + 2b).
#[grad(modes(tangent, hvp))]
fn lecture_in_struct(a: f64, b: f64, c: f64) -> f64 {
    let p = Point {
        x: a + 2.0 * b,
        y: c,
    };
    p.x * p.y
}

#[test]
fn fields_of_a_struct_literal_are_differentiated() {
    let (value, (da, db, dc)) = lecture_in_struct_grad(3.0, 1.0, -2.0);
    assert_eq!((value, da, db, dc), (-10.0, -2.0, -4.0, 5.0));
    // d/da along (1, 0, 0) is c; the Hessian's row for a is (0, 0, 1).
    let (_, t) = lecture_in_struct_tangent(3.0, 1.0, -2.0, 1.0, 0.0, 0.0);
    assert_eq!(t, -2.0);
    let (_, _, (ha, hb, hc)) = lecture_in_struct_hvp(3.0, 1.0, -2.0, 1.0, 0.0, 0.0);
    assert_eq!((ha, hb, hc), (0.0, 0.0, 1.0));
}

/// |z|² of z = (a + ib)^n by repeated complex multiplication, the accumulator a mutable
/// struct carried through the loop, with field-init shorthand and a struct pattern.
#[grad]
fn complex_power_norm(a: f64, b: f64, n: usize) -> f64 {
    let (re, im) = (a, b);
    let start = Complex { re, im };
    let Complex { re, im: imaginary } = start;
    let base = Complex { re, im: imaginary };
    let mut z = Complex { re: 1.0, im: 0.0 };
    for _ in 0..n {
        let re = z.re * base.re - z.im * base.im;
        z.im = z.re * base.im + z.im * base.re;
        z.re = re;
    }
    z.re * z.re + z.im * z.im
}

#[test]
fn a_mutable_struct_carried_by_a_loop() {
    // |(a + ib)^n|² = (a² + b²)^n: d/da = 2 n a (a² + b²)^(n - 1).
    let (a, b, n) = (0.7, -0.4, 5);
    let (value, (da, db)) = complex_power_norm_grad(a, b, n);
    let r2: f64 = a * a + b * b;
    assert_close(value, r2.powi(5), 1e-12);
    assert_close(da, 2.0 * 5.0 * a * r2.powi(4), 1e-12);
    assert_close(db, 2.0 * 5.0 * b * r2.powi(4), 1e-12);
}

/// A particle integrated with explicit Euler: a struct assigned whole (`p = next;`), copied
/// (`let start = p;`), a field changed in a branch, and a field written with `-=`.
#[grad]
fn bounced_distance(v: &[f64; 2], drag: f64, steps: usize) -> f64 {
    let mut p = Point { x: 0.0, y: 1.0 };
    let start = p;
    let mut vel = Point { x: v[0], y: v[1] };
    for _ in 0..steps {
        let next = Point {
            x: p.x + 0.1 * vel.x,
            y: p.y + 0.1 * vel.y,
        };
        p = next;
        vel.y -= 0.1 * 9.81;
        if p.y < 0.0 {
            p.y = -p.y;
            vel.y = -vel.y * (1.0 - drag);
        }
    }
    ((p.x - start.x).powi(2) + (p.y - start.y).powi(2)).sqrt()
}

#[test]
fn structs_assigned_whole_copied_and_changed_in_branches() {
    let mut rng = Rng::new(17);
    for _ in 0..20 {
        let v = [rng.uniform(0.5, 2.0), rng.uniform(-1.0, 1.0)];
        let drag = rng.uniform(0.05, 0.3);
        let f = |p: &[f64]| bounced_distance(&[p[0], p[1]], p[2], 12);
        let (value, (dv, ddrag)) = bounced_distance_grad(&v, drag, 12);
        assert_close(value, f(&[v[0], v[1], drag]), 1e-12);
        assert_matches_fd(
            &f,
            &[v[0], v[1], drag],
            &[dv[0], dv[1], ddrag],
            "bounced_distance",
        );
    }
}

/// Generic over the float type, with an integer field beside the numbers.
#[derive(Clone, Copy)]
struct Term<T> {
    coef: T,
    power: i32,
}

#[grad]
fn generic_terms<T: Float>(x: T, c: &[T]) -> T {
    let mut total = T::zero();
    for (k, &ck) in c.iter().enumerate() {
        let t = Term {
            coef: ck,
            power: k as i32,
        };
        total = total + t.coef * x.powi(t.power);
    }
    total
}

#[test]
fn generic_structs_with_integer_fields() {
    let c = [1.0, -2.0, 0.5];
    let (value, (dx, dc)) = generic_terms_grad(2.0, &c);
    assert_close(value, 1.0 - 4.0 + 2.0, 1e-12);
    assert_close(dx, -2.0 + 2.0 * 0.5 * 2.0, 1e-12);
    assert_eq!(dc, vec![1.0, 2.0, 4.0]);
    let (v32, (dx32, _)) = generic_terms_grad(2.0f32, &[1.0f32, -2.0, 0.5]);
    assert_eq!((v32, dx32), (-1.0, 0.0));
}

/// Options of a solver: data, built in the function and passed whole to code that is not
/// differentiated.
#[derive(Debug)]
struct Options {
    steps: usize,
    scale: f64,
}

fn describe(o: &Options) -> usize {
    format!("{o:?}").len()
}

#[grad]
fn with_options(x: f64) -> f64 {
    let opts = Options {
        steps: 3,
        scale: 0.5,
    };
    assert!(describe(&opts) > 0);
    let mut y = x;
    for _ in 0..opts.steps {
        y = y.sin() * opts.scale;
    }
    y
}

#[test]
fn a_struct_of_data_is_passed_through_whole() {
    let x = 0.8;
    let (value, dx) = with_options_grad(x);
    assert_close(value, with_options(x), 1e-15);
    assert_matches_fd(&|p: &[f64]| with_options(p[0]), &[x], &[dx], "with_options");
}

/// A field read by a local closure and by a float method, a struct halved in a `while` loop,
/// and a name that was a struct shadowed by a number.
#[grad]
fn closures_and_while(a: f64, b: f64) -> f64 {
    let p = Point { x: a.sin(), y: b };
    let scaled = |t: f64| p.x * t;
    let s = scaled(2.0) + p.y.exp();
    let mut q = Point {
        x: a * a + 4.0,
        y: 0.0,
    };
    while q.x > 1.0 {
        q.x *= 0.5;
        q.y += b;
    }
    let p = p.x + p.y;
    s * p + q.x * q.y
}

#[test]
fn fields_in_closures_while_loops_and_shadowing() {
    let mut rng = Rng::new(5);
    for _ in 0..20 {
        let (a, b) = (rng.uniform(-1.5, 1.5), rng.uniform(-1.0, 1.0));
        let f = |p: &[f64]| closures_and_while(p[0], p[1]);
        let (value, (da, db)) = closures_and_while_grad(a, b);
        assert_close(value, f(&[a, b]), 1e-14);
        assert_matches_fd(&f, &[a, b], &[da, db], "closures_and_while");
    }
}

/// A local struct read by code passed through (a message built on the error path), whole in
/// a `Debug` format and by field, found by the fuzz tester (records family).
#[grad]
fn checked_scale(x: f64, limit: f64) -> Result<f64, String> {
    let mut p = Point { x: x * 2.0, y: x };
    if p.x > limit {
        return Err(format!("{p:?} is past the limit, x = {}", p.x));
    }
    p.y += p.x.sin();
    Ok(p.x * p.y)
}

#[test]
fn structs_read_by_code_passed_through() {
    let err = checked_scale_grad(3.0, 1.0).unwrap_err();
    assert_eq!(err, "Point { x: 6.0, y: 3.0 } is past the limit, x = 6");
    let x = 0.3;
    let (value, (dx, dlimit)) = checked_scale_grad(x, 1.0).unwrap();
    assert_close(value, checked_scale(x, 1.0).unwrap(), 1e-15);
    assert_eq!(dlimit, 0.0);
    let f = |p: &[f64]| checked_scale(p[0], 1.0).unwrap();
    assert_matches_fd(&f, &[x], &[dx], "checked_scale");
}

/// Fields from the elements `iter_mut()` lends (`*v`), each scaled in place after.
#[grad]
fn fields_from_lent_elements(x: &[f64; 3]) -> f64 {
    let mut h = *x;
    let mut total = 0.0;
    for v in h.iter_mut() {
        let p = Point { x: *v, y: *v * 2.0 };
        *v = p.x * p.y;
        total += *v;
    }
    total + h[0]
}

#[test]
fn fields_built_from_lent_elements() {
    // 2 x0² + 2 x1² + 2 x2² + 2 x0²
    let (value, g) = fields_from_lent_elements_grad(&[1.0, 2.0, 3.0]);
    assert_eq!(value, 2.0 + 8.0 + 18.0 + 2.0);
    assert_eq!(g, [8.0, 8.0, 12.0]);
}

// ----- mutable tuples of numbers (probe, session 14) -----

/// Complex power by repeated multiplication, `z <- z (a + ib)`, the tuple assigned whole.
#[grad(modes(tangent))]
fn complex_power_re(a: f64, b: f64, n: usize) -> f64 {
    let mut z = (1.0, 0.0);
    for _ in 0..n {
        z = (z.0 * a - z.1 * b, z.0 * b + z.1 * a);
    }
    let (re, im) = z;
    re + 0.5 * im
}

/// Fields written one by one, a count among them, and in a branch.
#[grad]
fn running_stats(x: &[f64]) -> f64 {
    let mut st = (0.0, 1.0, 0usize);
    for &v in x {
        st.0 += v;
        st.1 *= v;
        st.2 += 1;
        if v > 0.0 {
            st.1 += 0.5;
        }
    }
    st.0 * st.1 / st.2 as f64
}

#[test]
fn mutable_tuples_of_numbers() {
    // (a + ib)^2 = a^2 - b^2 + 2abi: f = a^2 - b^2 + ab.
    let (a, b) = (0.9, 0.4);
    let (value, (d_a, d_b)) = complex_power_re_grad(a, b, 2);
    assert_close(value, a * a - b * b + a * b, 1e-15);
    assert_close(d_a, 2.0 * a + b, 1e-15);
    assert_close(d_b, -2.0 * b + a, 1e-15);
    let (_, jv) = complex_power_re_tangent(a, b, 2, 1.0, 0.0);
    assert_close(jv, d_a, 1e-15);

    let mut rng = Rng::new(31);
    for n in [1, 3, 6] {
        let (a, b) = (rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0));
        let (_, (d_a, d_b)) = complex_power_re_grad(a, b, n);
        let f = |p: &[f64]| complex_power_re(p[0], p[1], n);
        assert_matches_fd(&f, &[a, b], &[d_a, d_b], "complex_power_re");
        let x = rng.vec(n, -2.0, 2.0);
        let (value, g) = running_stats_grad(&x);
        assert_eq!(value, running_stats(&x));
        assert_matches_fd(&|x| running_stats(x), &x, &g, "running_stats");
    }
}

#[derive(Clone, Copy, Debug)]
struct Normal {
    mu: f64,
    sigma: f64,
}

/// Struct update syntax on a local struct (`..d`): the fields not written are `d`'s (a probe
/// of Stan-style log-densities; rejected before).
#[grad(mu, log_sigma)]
fn halved_mean_log_density(mu: f64, log_sigma: f64, y: &[f64]) -> f64 {
    let d = Normal {
        mu,
        sigma: log_sigma.exp(),
    };
    let half = Normal {
        mu: d.mu * 0.5,
        ..d
    };
    y.iter()
        .map(|v| -0.5 * ((v - half.mu) / half.sigma).powi(2) - half.sigma.ln())
        .sum()
}

#[test]
fn struct_update_of_a_local_struct() {
    let y = [1.0, -0.5, 2.0];
    let mut rng = Rng::new(9);
    for _ in 0..10 {
        let x = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)];
        let (_, (d_mu, d_log_sigma)) = halved_mean_log_density_grad(x[0], x[1], &y);
        let f = |x: &[f64]| halved_mean_log_density(x[0], x[1], &y);
        assert_matches_fd(&f, &x, &[d_mu, d_log_sigma], "halved_mean_log_density");
    }
}
