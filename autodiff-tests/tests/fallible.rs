//! Fallible functions: `#[grad]` on functions returning `Result<T, E>` or `Option<T>`, with
//! parameter validation, early `Err`/`None`, `?` and `.unwrap()` on fallible callees.

use autodiff::{grad, Const};

#[derive(Debug, PartialEq)]
enum DomainError {
    NonPositive(f64),
    Empty,
}

/// ln Gamma-like validation pattern: an early `Err` for bad parameters, then the math.
#[grad]
fn log_scaled(x: f64, scale: f64) -> Result<f64, DomainError> {
    if scale <= 0.0 {
        return Err(DomainError::NonPositive(scale));
    }
    if x <= 0.0 {
        return Err(DomainError::NonPositive(x));
    }
    Ok((x / scale).ln() * scale)
}

/// A fallible callee unwrapped with `?`, in a loop.
#[grad(w)]
fn total(w: &[f64], scale: f64) -> Result<f64, DomainError> {
    if w.is_empty() {
        return Err(DomainError::Empty);
    }
    let mut sum = 0.0;
    for &x in w {
        let term = log_scaled(x, scale)?;
        sum += term * term;
    }
    Ok(sum)
}

/// `Option`: `None` outside the support, a tail `if` with `Some`/`None` branches.
#[grad]
fn safe_sqrt(x: f64) -> Option<f64> {
    if x < 0.0 {
        None
    } else {
        Some(x.sqrt() + log_scaled(1.0 + x, 2.0).unwrap())
    }
}

#[test]
fn ok_paths_differentiate_through_the_value() {
    // d/dx [s ln(x/s)] = s / x, d/ds = ln(x/s) - 1
    let (v, (dx, ds)) = log_scaled_grad(2.0, 0.5).unwrap();
    assert!((v - 0.5 * 4f64.ln()).abs() < 1e-15);
    assert!((dx - 0.25).abs() < 1e-15);
    assert!((ds - (4f64.ln() - 1.0)).abs() < 1e-15);

    let w = [1.0, 2.0, 3.0];
    let (v, g) = total_grad(&w, 2.0).unwrap();
    let t = |x: f64| 2.0 * (x / 2.0).ln();
    assert!((v - w.iter().map(|&x| t(x) * t(x)).sum::<f64>()).abs() < 1e-12);
    for (i, &x) in w.iter().enumerate() {
        assert!((g[i] - 2.0 * t(x) * 2.0 / x).abs() < 1e-12);
    }
    // `_adjoint` returns the same `Result`, accumulating on success.
    let mut acc = [0.0; 3];
    assert_eq!(total_adjoint(&w, 2.0, 0.5, &mut acc[..], Const), Ok(v));
    assert!((acc[2] - 0.5 * g[2]).abs() < 1e-15);

    let (v, d) = safe_sqrt_grad(4.0).unwrap();
    assert!((v - (2.0 + 2.0 * 2.5f64.ln())).abs() < 1e-12);
    assert!((d - (0.25 + 2.0 / 5.0)).abs() < 1e-12);
}

#[test]
fn errors_come_back_unchanged_and_leave_shadows_alone() {
    assert_eq!(
        log_scaled_grad(1.0, -1.0),
        Err(DomainError::NonPositive(-1.0))
    );
    assert_eq!(total_grad(&[], 1.0), Err(DomainError::Empty));
    // The callee's error, through `?`, with nothing accumulated.
    let mut acc = [0.0; 2];
    assert_eq!(
        total_adjoint(&[1.0, -2.0], 1.0, 1.0, &mut acc[..], Const),
        Err(DomainError::NonPositive(-2.0))
    );
    assert_eq!(acc, [0.0, 0.0]);
    assert_eq!(safe_sqrt_grad(-1.0), None);
}

/// `return if .. { Ok(..) } else { Err(..) };` (statrs' `checked_gamma_ur` returns this way):
/// its outcomes are unwrapped like a tail's (it did not compile: the `if` kept its `Ok`s).
#[grad]
fn tail_branches(x: f64) -> Result<f64, String> {
    if x < -10.0 {
        return if x < -20.0 {
            Ok(2.0 * x)
        } else {
            Err(format!("no value at {x}"))
        };
    }
    Ok(x * x)
}

#[grad]
fn tail_options(x: f64) -> Option<f64> {
    if x < 0.0 {
        return match x < -1.0 {
            true => Some(-x),
            false => None,
        };
    }
    Some(x.sqrt())
}

#[test]
fn a_returned_if_unwraps_its_outcomes() {
    assert_eq!(tail_branches_grad(-30.0), Ok((-60.0, 2.0)));
    assert_eq!(
        tail_branches_grad(-15.0),
        Err("no value at -15".to_string())
    );
    assert_eq!(tail_branches_grad(3.0), Ok((9.0, 6.0)));
    assert_eq!(tail_options_grad(-2.0), Some((2.0, -1.0)));
    assert_eq!(tail_options_grad(-0.5), None);
    assert_eq!(tail_options_grad(4.0), Some((2.0, 0.25)));
}

/// A fallible callee's own result as the tail or returned (`checked_sqrt(v)`, `return
/// safe_ln(a);`): it did not compile (the result was wrapped in `Some(..)` again).
#[grad]
fn checked_root(x: f64) -> Option<f64> {
    if x >= 0.0 {
        Some(x.sqrt())
    } else {
        None
    }
}

#[grad]
fn scaled_root(v: f64) -> Option<f64> {
    checked_root(v * 2.0)
}

#[grad]
fn ln_ratio(a: f64, b: f64) -> Result<f64, String> {
    if b == 1.0 {
        return safe_ln(a);
    }
    safe_ln(a / b)
}

#[grad]
fn safe_ln(x: f64) -> Result<f64, String> {
    if x > 0.0 {
        Ok(x.ln())
    } else {
        Err(format!("ln of {x}"))
    }
}

#[test]
fn a_fallible_callee_as_the_result() {
    // sqrt(2 v): 1 / sqrt(2 v)
    assert_eq!(scaled_root_grad(2.0), Some((2.0, 0.5)));
    assert_eq!(scaled_root_grad(-1.0), None);
    // ln(a / b)
    assert_eq!(ln_ratio_grad(2.0, 4.0), Ok((0.5f64.ln(), (0.5, -0.25))));
    assert_eq!(ln_ratio_grad(2.0, 1.0), Ok((2f64.ln(), (0.5, 0.0))));
    assert_eq!(ln_ratio_grad(-2.0, 4.0), Err("ln of -0.5".to_string()));
}

/// `?` on an element that may be missing: `None` from the function where it is.
#[grad(modes(tangent))]
fn ends_and_pick(x: &[f64], i: usize) -> Option<f64> {
    let first = x.first()?;
    let last = *x.last()?;
    let picked = x.get(i).copied()?;
    Some(first * last + picked.sin())
}

#[test]
fn question_mark_on_missing_elements() {
    let x = [0.5, -1.25, 2.0];
    let (value, g) = ends_and_pick_grad(&x, 1).unwrap();
    assert_eq!(value, 0.5 * 2.0 + (-1.25f64).sin());
    // d/dx0 = x2, d/dx1 = cos x1, d/dx2 = x0.
    assert_eq!(g, vec![2.0, (-1.25f64).cos(), 0.5]);
    let (_, t) = ends_and_pick_tangent(&x, 1, &[0.0, 1.0, 0.0]).unwrap();
    assert_eq!(t, (-1.25f64).cos());
    assert!(ends_and_pick_grad(&x, 3).is_none());
    assert!(ends_and_pick_grad(&[], 0).is_none());
    // Leaving with `None` adds nothing to the shadows.
    let mut d = [0.0; 3];
    assert!(ends_and_pick_adjoint(&x, 7, 1.0, &mut d[..]).is_none());
    assert_eq!(d, [0.0; 3]);
}

#[derive(Debug, PartialEq)]
enum SeriesError {
    Empty,
    NoPoint(usize),
}

fn no_point(i: usize) -> SeriesError {
    SeriesError::NoPoint(i)
}

/// `ok_or(e)?` and `ok_or_else(|| e)?` on elements in a function that returns a `Result`: the
/// error (converted with `From`, as `?` does) where the element is missing.
#[grad(x, modes(tangent))]
fn first_and_point(x: &[f64], i: usize) -> Result<f64, SeriesError> {
    let first = *x.first().ok_or(SeriesError::Empty)?;
    let point = x.get(i).copied().ok_or_else(|| no_point(i))?;
    Ok(first * point.exp())
}

/// `max_by(..)?` and `reduce(..)?` in a function that returns an `Option`: `None` where there
/// are no items.
#[grad]
fn largest_times_product(x: &[f64], from: usize) -> Option<f64> {
    let largest = x[from..].iter().max_by(|a, b| a.total_cmp(b))?;
    let product = x[from..].iter().copied().reduce(|a, b| a * b)?;
    Some(largest * product)
}

#[test]
fn question_mark_on_missing_elements_and_picks() {
    let x = [0.5, -1.25, 2.0];
    let (value, g) = first_and_point_grad(&x, 2).unwrap();
    assert_eq!(value, 0.5 * 2f64.exp());
    assert_eq!(g, vec![2f64.exp(), 0.0, 0.5 * 2f64.exp()]);
    let (_, t) = first_and_point_tangent(&x, 2, &[1.0, 0.0, 1.0]).unwrap();
    assert_eq!(t, 2f64.exp() + 0.5 * 2f64.exp());
    assert_eq!(first_and_point_grad(&[], 0), Err(SeriesError::Empty));
    assert_eq!(first_and_point_grad(&x, 3), Err(SeriesError::NoPoint(3)));
    let mut d = [0.0; 3];
    assert!(first_and_point_adjoint(&x, 5, 1.0, &mut d[..]).is_err());
    assert_eq!(d, [0.0; 3]);

    // From x[1]: largest 2, product -2.5.
    let (value, g) = largest_times_product_grad(&x, 1).unwrap();
    assert_eq!(value, -5.0);
    assert_eq!(g, vec![0.0, 2.0 * 2.0, -2.5 + 2.0 * -1.25]);
    assert_eq!(largest_times_product_grad(&x, 3), None);
}

/// What may stand between a fallible call and its unwrapping: the error mapped
/// (`.map_err(f)?`), the `Result` made an `Option` (`.ok()?`), and a default in place of a
/// failure (`.unwrap_or(d)`, `.unwrap_or_default()`), in reverse and forward mode.
#[grad(modes(tangent))]
fn checked_ln(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err(format!("ln of {x}"));
    }
    Ok(x.ln())
}

#[grad(modes(tangent))]
fn ln_product(x: f64, y: f64) -> Result<f64, String> {
    let a = checked_ln(x).map_err(|e| format!("first: {e}"))?;
    let b = checked_ln(y).map_err(|e| format!("second: {e}"))?;
    Ok(a * b)
}

#[grad(modes(tangent))]
fn ln_or_none(x: f64) -> Option<f64> {
    let a = checked_ln(x).ok()?;
    Some(a * x)
}

#[grad(modes(tangent))]
fn ln_or_default(x: f64, y: f64) -> f64 {
    checked_ln(x).unwrap_or(-1.0) * y + checked_ln(y).unwrap_or_default() * x
}

#[test]
fn fallible_calls_mapped_made_options_and_defaulted() {
    let (value, (d_x, d_y)) = ln_product_grad(2.0, 3.0).unwrap();
    assert_eq!(value, 2f64.ln() * 3f64.ln());
    assert!((d_x - 3f64.ln() / 2.0).abs() < 1e-15 && (d_y - 2f64.ln() / 3.0).abs() < 1e-15);
    assert_eq!(ln_product_grad(2.0, -3.0).unwrap_err(), "second: ln of -3");
    let (value, t) = ln_product_tangent(2.0, 3.0, 1.0, 0.0).unwrap();
    assert_eq!((value, t), (2f64.ln() * 3f64.ln(), 3f64.ln() / 2.0));

    let (value, d_x) = ln_or_none_grad(2.0).unwrap();
    assert_eq!((value, d_x), (2f64.ln() * 2.0, 2f64.ln() + 1.0));
    assert!(ln_or_none_grad(-2.0).is_none());

    // Both succeed: d/dx = y / x + ln y, d/dy = ln x + x / y.
    let (value, (d_x, d_y)) = ln_or_default_grad(2.0, 3.0);
    assert_eq!(value, 2f64.ln() * 3.0 + 3f64.ln() * 2.0);
    assert!((d_x - (1.5 + 3f64.ln())).abs() < 1e-15);
    assert!((d_y - (2f64.ln() + 2.0 / 3.0)).abs() < 1e-15);
    // The first fails: -1 * y, its default has no derivative; the second still counts.
    let (value, (d_x, d_y)) = ln_or_default_grad(-2.0, 3.0);
    assert_eq!(value, -3.0 + 3f64.ln() * -2.0);
    assert_eq!((d_x, d_y), (3f64.ln(), -1.0 - 2.0 / 3.0));
    // Forward mode falls back to a zero tangent the same way.
    let (value, t) = ln_or_default_tangent(-2.0, 3.0, 1.0, 0.0);
    assert_eq!((value, t), (-3.0 + 3f64.ln() * -2.0, 3f64.ln()));
}

#[derive(Debug, PartialEq)]
enum PickError {
    Missing(String),
    Empty,
}

/// `?` on what may be missing, in a function that returns a `Result`: an element
/// (`x.get(i).ok_or_else(|| e)?`) and a reduction (`.reduce(f64::max).ok_or(e)?`), each
/// failing the function where it is missing.
#[grad(x)]
fn largest_plus_picked(x: &[f64], i: usize) -> Result<f64, PickError> {
    let largest = x.iter().copied().reduce(f64::max).ok_or(PickError::Empty)?;
    let picked = *x
        .get(i)
        .ok_or_else(|| PickError::Missing(format!("no entry {i} in {} values", x.len())))?;
    Ok(largest * picked)
}

#[test]
fn a_reduction_may_fail_a_result() {
    let x = [0.5, 3.0, -2.0];
    assert_eq!(
        largest_plus_picked_grad(&x, 2),
        Ok((-6.0, vec![0.0, -2.0, 3.0]))
    );
    assert_eq!(
        largest_plus_picked_grad(&x, 5),
        Err(PickError::Missing("no entry 5 in 3 values".into()))
    );
    assert_eq!(largest_plus_picked_grad(&[], 0), Err(PickError::Empty));
}

// ----- what unwraps a fallible call reads (probe) -----
// An error naming a local (`.ok_or(Bad::At(k))?`, a loop counter in `map_err`) was an error
// inside generated code (E0425: the local renamed); one naming a differentiated value
// (`.ok_or(Bad::Domain(y))?`) was rejected; `.unwrap_or(0.0)` and data read through a
// reference (`&TABLE[m]`, `*TABLE.get(m)?`) failed under `modes(hvp)`.

#[derive(Debug, PartialEq)]
enum Bad {
    Domain(f64),
    At(usize),
}

const WEIGHTS: [f64; 3] = [0.5, 1.5, 2.5];

#[grad(modes(tangent, hvp))]
fn checked_log(x: f64) -> Option<f64> {
    if x > 0.0 {
        Some(x.ln())
    } else {
        None
    }
}

#[grad(modes(tangent, hvp))]
fn checked_sqrt(x: f64) -> Result<f64, String> {
    if x < 0.0 {
        return Err("negative".into());
    }
    Ok(x.sqrt())
}

/// sum_i w[m] (ln(v_i x) + ln x) + sqrt(x + v_i) v_i x, every error naming what it read.
#[grad(modes(tangent, hvp))]
#[allow(clippy::unnecessary_lazy_evaluations)] // `ok_or_else` is the case under test
fn errors_name_what_they_read(x: f64, v: &[f64], m: usize) -> Result<f64, Bad> {
    let weight = &WEIGHTS[m];
    let mut s = 0.0;
    for (i, &vi) in v.iter().enumerate() {
        let y = vi * x;
        let logs =
            checked_log(y).ok_or(Bad::Domain(y))? + checked_log(x).ok_or_else(|| Bad::At(i))?;
        let root = checked_sqrt(x + vi).map_err(|_| Bad::At(i))?;
        s += weight * logs + root * y;
    }
    Ok(s)
}

/// ln(x) x where ln is defined, 0 elsewhere; a table entry by `?`.
#[grad(modes(tangent, hvp))]
fn defaulted(x: f64, m: usize) -> Option<f64> {
    let c = *WEIGHTS.get(m)?;
    let fallback = 0.0;
    Some(checked_log(x).unwrap_or(0.0) * x + checked_sqrt(x).unwrap_or(fallback) * c)
}

#[test]
fn unwrapping_reads_locals_and_values() {
    let v = [1.0, 3.0];
    let (x, m) = (2.0, 1);
    let w = WEIGHTS[m];
    let f = |x: f64| errors_name_what_they_read(x, &v, m).unwrap();
    let (value, (d_x, d_v)) = errors_name_what_they_read_grad(x, &v, m).unwrap();
    assert_eq!(value, f(x));
    // d/dx: w (1/x + 1/x) + v x / (2 sqrt(x + v)) + sqrt(x + v) v
    let expected: f64 = v
        .iter()
        .map(|&vi| 2.0 * w / x + vi * x / (2.0 * (x + vi).sqrt()) + (x + vi).sqrt() * vi)
        .sum();
    assert!((d_x - expected).abs() < 1e-12, "{d_x} vs {expected}");
    for (k, d) in d_v.iter().enumerate() {
        let vi = v[k];
        let expected = w / vi + vi * x / (2.0 * (x + vi).sqrt()) + (x + vi).sqrt() * x;
        assert!((d - expected).abs() < 1e-12);
    }
    let (_, t) = errors_name_what_they_read_tangent(x, &v, m, 1.0, &[0.0, 0.0][..]).unwrap();
    assert!((t - d_x).abs() < 1e-12);
    let (_, (g, _), (hv, _)) = errors_name_what_they_read_hvp(x, &v, m, 1.0, &[0.0, 0.0]).unwrap();
    assert_eq!(g, d_x);
    let h = 1e-5;
    let grad = |x: f64| errors_name_what_they_read_grad(x, &v, m).unwrap().1 .0;
    assert!((hv - (grad(x + h) - grad(x - h)) / (2.0 * h)).abs() < 1e-6);

    // the errors carry what they read, on every item
    assert_eq!(
        errors_name_what_they_read_grad(x, &[1.0, -3.0], m),
        Err(Bad::Domain(-6.0))
    );
    assert_eq!(
        errors_name_what_they_read_hvp(x, &[1.0, -3.0], m, 1.0, &[0.0, 0.0]),
        Err(Bad::Domain(-6.0))
    );
    assert_eq!(
        errors_name_what_they_read_grad(-0.5, &[-1.0, 3.0], m),
        Err(Bad::At(0))
    );
    assert_eq!(
        errors_name_what_they_read_tangent(-0.5, &[-1.0, 3.0], m, 1.0, Const),
        Err(Bad::At(0))
    );
}

#[test]
fn defaults_on_dual_numbers() {
    // x ln x + 2.5 sqrt(x) at x = 4: derivative ln x + 1 + 1.25 / sqrt(x),
    // second 1/x - 0.625 x^(-3/2)
    let (value, d, hv) = defaulted_hvp(4.0, 2, 1.0).unwrap();
    assert_eq!(value, defaulted(4.0, 2).unwrap());
    assert!((d - (4f64.ln() + 1.0 + 1.25 / 2.0)).abs() < 1e-14);
    assert!((hv - (0.25 - 0.625 / 8.0)).abs() < 1e-14);
    // ln and sqrt undefined: both defaults, no derivative
    assert_eq!(defaulted_hvp(-1.0, 0, 1.0), Some((0.0, 0.0, 0.0)));
    assert_eq!(defaulted_tangent(-1.0, 0, 1.0), Some((0.0, 0.0)));
    assert_eq!(defaulted_grad(4.0, 3), None);
}

/// A failure tested before the value is taken: what the message for `if let Ok(v) = g(x)`
/// advises (`is_ok()` was "not a float method").
#[grad(modes(tangent, hvp))]
fn tested_first(x: f64) -> f64 {
    if checked_sqrt(x).is_ok() && checked_log(x).is_some() {
        let v = checked_sqrt(x).unwrap();
        v * x
    } else {
        -x
    }
}

#[test]
fn failures_tested_in_conditions() {
    // x^(3/2): 1.5 sqrt(x), second 0.75 / sqrt(x)
    assert_eq!(tested_first_grad(4.0), (8.0, 3.0));
    assert_eq!(tested_first_hvp(4.0, 1.0), (8.0, 3.0, 0.375));
    assert_eq!(tested_first_tangent(-1.0, 2.0), (1.0, -2.0));
}

// ----- the success of a fallible call matched (a probe of ray tracing code) ---------------------

/// The nearer hit of a ray from the origin along `d` with a sphere, if any.
#[grad]
fn ray_sphere(d: &[f64; 3], c: &[f64; 3], r: f64) -> Option<f64> {
    let b = -(c[0] * d[0] + c[1] * d[1] + c[2] * d[2]);
    let cc = c[0] * c[0] + c[1] * c[1] + c[2] * c[2] - r * r;
    let disc = b * b - cc;
    if disc < 0.0 {
        return None;
    }
    Some(-b - disc.sqrt())
}

/// `match` with `Some(t)` / `None`, `if let Some(t)`, a local `Option` matched and asked
/// `is_some()`, one typed and unwrapped with a default.
#[grad(center)]
#[allow(clippy::manual_unwrap_or)] // the `match` is what is tested
fn depth_loss(center: &[f64; 3], dirs: &[[f64; 3]], depth: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (d, &z) in dirs.iter().zip(depth) {
        let t = match ray_sphere(d, center, 1.0) {
            Some(t) => t,
            None => 10.0,
        };
        loss += (t - z).powi(2);
        if let Some(inner) = ray_sphere(d, center, 0.5) {
            loss += 0.1 * inner;
        }
        let hit = ray_sphere(d, center, 0.8);
        if let Some(t) = hit {
            loss += t * t;
        }
        let typed: Option<f64> = ray_sphere(d, center, 0.9);
        loss += typed.unwrap_or(2.0) + if hit.is_some() { 1.0 } else { 0.0 };
    }
    loss
}

/// `match` with `Ok(v)` / `Err(_)`, and `if let Ok(w)`.
#[grad]
fn logs(x: f64, y: f64) -> f64 {
    let a = match checked_ln(x) {
        Ok(v) => v * y,
        Err(_) => y,
    };
    let b = if let Ok(w) = checked_ln(y) {
        w * w
    } else {
        0.5
    };
    a + b
}

/// `let Ok(v) = .. else { return Err(..) };`
#[grad]
fn scaled_log(x: f64) -> Result<f64, String> {
    let Ok(v) = checked_ln(x) else {
        return Err("ln".into());
    };
    Ok(v * x)
}

#[test]
fn successes_of_fallible_calls_are_matched() {
    let central = |f: &dyn Fn(f64) -> f64, x: f64| (f(x + 1e-6) - f(x - 1e-6)) / 2e-6;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
    let center = [0.1, 0.05, 3.0];
    // Three rays: two hit every sphere, the last misses the smaller ones.
    let dirs = [[0.0, 0.0, 1.0], [0.1, 0.0, 0.995], [0.3, 0.0, 0.954]];
    let depth = [1.5, 1.7, 2.0];
    let (_, d_center) = depth_loss_grad(&center, &dirs, &depth);
    for k in 0..3 {
        let along = |v: f64| {
            let mut c = center;
            c[k] = v;
            depth_loss(&c, &dirs, &depth)
        };
        assert!(close(d_center[k], central(&along, center[k])), "d/dc[{k}]");
    }
    let (value, d_x) = scaled_log_grad(0.5).unwrap();
    assert!(close(value, 0.5 * 0.5f64.ln()) && close(d_x, 0.5f64.ln() + 1.0));
    assert!(scaled_log_grad(-1.0).is_err());
    for (x, y) in [(0.5, 2.0), (-0.5, 2.0), (0.5, -1.0)] {
        let (_, (d_x, d_y)) = logs_grad(x, y);
        assert!(
            close(d_x, central(&|x| logs(x, y), x)),
            "d/dx at ({x}, {y})"
        );
        assert!(
            close(d_y, central(&|y| logs(x, y), y)),
            "d/dy at ({x}, {y})"
        );
    }
}

/// A fixed point, or `None` when it has not converged: `then(|| ..)` as the result (a probe of
/// solver code; rejected before as a closure used as a value).
#[grad]
#[allow(clippy::unnecessary_lazy_evaluations)] // as the probe wrote it
fn cosine_fixed_point(a: f64) -> Option<f64> {
    let mut x = 0.5;
    for _ in 0..200 {
        x = (a * x).cos();
    }
    let residual = x - (a * x).cos();
    (residual.abs() < 1e-10).then(|| x)
}

#[grad]
fn positive_log(v: f64) -> Option<f64> {
    if v < -10.0 {
        return (v > -20.0).then_some(0.0);
    }
    (v > 0.0).then(|| v.ln())
}

#[test]
fn then_as_the_result() {
    // x = cos(a x): dx/da = -x sin(a x) / (1 + a sin(a x)).
    let a = 0.5;
    let (x, d_a) = cosine_fixed_point_grad(a).unwrap();
    let s = (a * x).sin();
    assert!((d_a + x * s / (1.0 + a * s)).abs() < 1e-9);
    assert_eq!(positive_log_grad(2.0), Some((2.0f64.ln(), 0.5)));
    assert_eq!(positive_log_grad(-1.0), None);
    assert_eq!(positive_log_grad(-15.0), Some((0.0, 0.0)));
}

/// pyo3's `PyResult<T>`, an alias of `Result<T, PyErr>`: a `Result` by its name, as
/// `io::Result<f64>` is (the dynamic-pricing crate a probe copied returns it everywhere).
type PyResult<T> = Result<T, String>;

#[grad]
fn price_at_demand(d: f64, beta: f64) -> PyResult<f64> {
    if beta <= 0.0 {
        return Err("beta must be > 0".to_string());
    }
    Ok(1.0 - d.ln() / beta)
}

#[grad]
fn expected_revenue(d: f64, beta: f64) -> PyResult<f64> {
    let p = price_at_demand(d, beta)?;
    Ok(p * d)
}

#[test]
fn a_result_alias_named_so_is_fallible() {
    let (d, beta) = (0.5, 2.0);
    let (value, (d_d, d_beta)) = expected_revenue_grad(d, beta).unwrap();
    let p = 1.0 - d.ln() / beta;
    assert_eq!(value, p * d);
    assert!((d_d - (p - 1.0 / beta)).abs() < 1e-15);
    assert!((d_beta - d * d.ln() / (beta * beta)).abs() < 1e-15);
    assert_eq!(
        expected_revenue_grad(d, -1.0),
        Err("beta must be > 0".to_string())
    );
}
