//! Generated code never collides with user names and compiles warning-free: this file is
//! built with `#![deny(warnings)]` (and CI runs clippy with `-D warnings` on it).
#![deny(warnings)]

use autodiff::{grad, Const, Float};

/// Parameters and locals named like everything the macro generates.
#[grad]
fn collisions(d_x: f64, x: f64, d_out: f64, value: f64) -> f64 {
    let grad = x * d_x;
    let adjoint = grad + d_out;
    let out = adjoint * value;
    let tmp = out.sin();
    let t = tmp + 1.0;
    let t_1 = t * t;
    let d_t_1 = t_1 - x;
    let tape = d_t_1.exp();
    let decisions = tape.min(3.0);
    let returned = decisions > 1.0;
    let ret = if returned { decisions } else { -decisions };
    let broke = ret * 2.0;
    let go_on = broke + 1.0;
    let exit = go_on / 2.0;
    let trips = exit + t_1;
    let d_arg = trips * 0.5;
    d_arg + d_x
}

#[grad]
fn loops_with_collisions(tape: &[f64], decisions: &[f64], trips: usize) -> f64 {
    let mut d_tape = 0.0;
    let mut i = 0;
    while i < trips.min(tape.len()) {
        d_tape = d_tape * decisions[i] + tape[i].sin();
        if d_tape > 10.0 {
            break;
        }
        i += 1;
    }
    d_tape
}

/// A parameter `out`, whose shadow would be named like the output's adjoint `d_out`, and
/// in every mode (E0415 inside generated code; probe).
#[grad(modes(tangent, hvp))]
fn squared_error(pred: f64, out: f64) -> f64 {
    (pred - out) * (pred - out)
}

/// A parameter named like another's shadow (`d_x` beside `x`), and one starting with `_`,
/// on dual numbers (E0596, and a direction `v__y`, no snake case name; probe).
#[grad(modes(hvp))]
fn shadow_named(x: f64, d_x: f64, _y: f64) -> f64 {
    x * d_x
}

/// A generic parameter named like the shadows' type parameters.
#[grad]
fn generic_names<DX: Float>(x: DX, dx: DX) -> DX {
    x * dx + DX::from(2.0).unwrap() * x
}

/// A result that does not depend on one parameter, and an unused integer parameter.
#[grad]
#[allow(unused_variables)]
fn unused_parameter(x: f64, y: f64, n: usize) -> f64 {
    x * x
}

/// A model whose type name contains `impl`, in a function only ever differentiated: the
/// generated code still uses the original function (no dead-code warning).
#[derive(Clone, Debug, autodiff::Params)]
struct SimpleNet {
    w: f64,
}

#[grad(net)]
fn only_differentiated(net: &SimpleNet, x: f64) -> f64 {
    net.w * x
}

/// A Jacobian whose cheaper sweep is chosen at run time (a `Vec` result) over a slice and
/// two numbers: the sizes compared as `x.len() + 2 <= m`, `n < m` for one more (clippy's
/// `int_plus_one` fired on `x.len() + 1 <= m`, probe).
#[grad(modes(jacobian))]
fn sized_at_run_time(x: &[f64], s: f64) -> Vec<f64> {
    x.iter().map(|v| v * s).collect()
}

#[grad(modes(jacobian))]
fn two_scalars_to_a_vec(a: f64, b: f64) -> Vec<f64> {
    vec![a * b, a + b]
}

/// A constant of a type parameter the arguments do not decide.
pub trait Softening {
    const EPS: f64;
}

pub struct Tiny;

impl Softening for Tiny {
    const EPS: f64 = 1e-3;
}

/// Generics only the body reads (`E::EPS`, `powi(K)`): every generated item names them for
/// the items it calls (E0282 inside generated code, probe), and so does a caller that names
/// them (`softened::<Tiny>(x)`).
#[grad(modes(tangent, hvp))]
fn softened<E: Softening>(x: f64) -> f64 {
    (x * x + E::EPS).sqrt()
}

#[grad(modes(tangent, hvp, hessian))]
fn power<const K: i32>(x: &[f64]) -> f64 {
    x[0].powi(K) * x[1]
}

#[grad(modes(tangent, jacobian))]
fn softened_pair<E: Softening>(x: &[f64; 2]) -> [f64; 2] {
    [x[0] * E::EPS, x[0] * x[1]]
}

/// Data beside a generic the arguments do not decide: reached through `_with_data`.
pub struct Scale {
    by: f64,
}

#[grad(x, modes(tangent, hvp))]
fn scaled_softened<E: Softening>(x: f64, scale: &Scale) -> f64 {
    scale.by * x * x + E::EPS
}

#[grad(x, modes(tangent, hvp))]
fn calls_with_named_generics(x: f64, scale: &Scale) -> f64 {
    softened::<Tiny>(x) * power::<2>(&[x, 3.0]) + scaled_softened::<Tiny>(x, scale)
}

/// A float type whose bounds include `AddAssign`: the sweeps' `d = d + ..` is no lint
/// (`assign_op_pattern` fired on generated code, probe).
#[grad]
fn add_assign_bound<S: Float + std::ops::AddAssign>(x: &[S]) -> S {
    x[0] * x[0] + x[0]
}

#[test]
fn names_in_user_code_do_not_change_the_gradient() {
    let (v, (d1, d2, d3, d4)) = collisions_grad(0.3, 0.7, -0.2, 1.1);
    assert_eq!(v, collisions(0.3, 0.7, -0.2, 1.1));
    let f = |p: [f64; 4]| collisions(p[0], p[1], p[2], p[3]);
    let base = [0.3, 0.7, -0.2, 1.1];
    for (i, analytic) in [d1, d2, d3, d4].into_iter().enumerate() {
        let h = 1e-6;
        let (mut plus, mut minus) = (base, base);
        plus[i] += h;
        minus[i] -= h;
        let numeric = (f(plus) - f(minus)) / (2.0 * h);
        assert!(
            (analytic - numeric).abs() < 1e-5,
            "d/dp{i}: {analytic} vs {numeric}"
        );
    }
    let (v, (dt, dd)) = loops_with_collisions_grad(&[0.1, 0.2, 0.3], &[1.5, 0.5, 2.0], 3);
    assert_eq!(
        v,
        loops_with_collisions(&[0.1, 0.2, 0.3], &[1.5, 0.5, 2.0], 3)
    );
    for i in 0..3 {
        let h = 1e-6;
        let at = |t: f64, which: usize| {
            let (mut tape, mut dec) = ([0.1, 0.2, 0.3], [1.5, 0.5, 2.0]);
            if which == 0 {
                tape[i] = t;
            } else {
                dec[i] = t;
            }
            loops_with_collisions(&tape, &dec, 3)
        };
        let base = [[0.1, 0.2, 0.3][i], [1.5, 0.5, 2.0][i]];
        for (which, analytic) in [(0, dt[i]), (1, dd[i])] {
            let numeric = (at(base[which] + h, which) - at(base[which] - h, which)) / (2.0 * h);
            assert!(
                (analytic - numeric).abs() < 1e-5,
                "{which}/{i}: {analytic} vs {numeric}"
            );
        }
    }
    let (v, (dx, ddx)) = generic_names_grad(2.0f64, 3.0);
    assert_eq!((v, dx, ddx), (10.0, 5.0, 2.0));
    let (_, (dx, dy)) = unused_parameter_grad(3.0, 4.0, 7);
    assert_eq!((dx, dy), (6.0, 0.0));
    let mut d = 0.0;
    unused_parameter_adjoint(3.0, 4.0, 7, 1.0, &mut d, Const);
    assert_eq!(d, 6.0);
}

#[test]
fn a_type_named_like_impl_is_not_impl_trait() {
    let (value, d_net) = only_differentiated_grad(&SimpleNet { w: 2.0 }, 3.0);
    assert_eq!((value, d_net.w), (6.0, 3.0));
}

// ----- a user name `m` inside the closures that project shadows and tangents -----
// The closures that take an item's shadow out of a model's (`.map(|m| &mut m[l])`) named
// their parameter `m`, as the generated loop over the items names its index after the user's
// item: `for m in &e.members` became `.map(|m| &mut m[m])` (E0277 inside generated code), and
// an index named `m` in `l.w[m]` met the item field's `|m| &mut m.w[m]`.

#[derive(Clone, Debug, autodiff::Params)]
struct Member {
    w: [f64; 2],
    b: f64,
}

#[derive(Clone, Debug, autodiff::Params)]
struct Ensemble {
    members: [Member; 3],
    layers: Vec<Member>,
}

#[grad(modes(tangent))]
fn member(l: &Member, x: &[f64; 2]) -> f64 {
    (l.w[0] * x[0] + l.w[1] * x[1] + l.b).tanh()
}

#[grad(e, modes(tangent))]
fn ensemble(e: &Ensemble, x: &[f64; 2]) -> f64 {
    let mut s = 0.0;
    for m in &e.members {
        s += member(m, x);
    }
    for l in &e.layers {
        for (m, &v) in x.iter().enumerate() {
            s += l.w[m] * v;
        }
    }
    s / 3.0
}

#[test]
fn a_user_name_m_in_projections() {
    let one = Member {
        w: [0.1, 0.2],
        b: 0.0,
    };
    let e = Ensemble {
        members: [one.clone(), one.clone(), one.clone()],
        layers: vec![one.clone(), one],
    };
    let x = [1.0, 2.0];
    let t = 0.5f64.tanh();
    let (value, g) = ensemble_grad(&e, &x);
    assert!((value - (3.0 * t + 2.0 * 0.5) / 3.0).abs() < 1e-15);
    let slope = (1.0 - t * t) / 3.0;
    for d in &g.members {
        assert!((d.w[0] - slope).abs() < 1e-15 && (d.w[1] - 2.0 * slope).abs() < 1e-15);
        assert!((d.b - slope).abs() < 1e-15);
    }
    for d in &g.layers {
        assert_eq!((d.w, d.b), ([1.0 / 3.0, 2.0 / 3.0], 0.0));
    }
    // Along the model itself: 3 members' slopes times their pre-activations, and the
    // layers' own sums (linear).
    let (_, tangent) = ensemble_tangent(&e, &x, &e, Const);
    assert!((tangent - (3.0 * slope * 0.5 + 2.0 * 0.5 / 3.0)).abs() < 1e-15);
}

/// A range bound in parentheses (`((i + 1)..3)`) in a chain: the bound is written without
/// them into the count (`max(i + 1, 3)`), where rustc would call them needless (probe,
/// session 15).
#[grad]
fn tail_sum(x: &[f64; 3], i: usize) -> f64 {
    ((i + 1)..3).map(|j| x[j]).sum()
}

#[test]
fn parenthesized_range_bounds_give_no_warning() {
    assert_eq!(tail_sum_grad(&[1.0, 2.0, 3.0], 0), (5.0, [0.0, 1.0, 1.0]));
}

/// A fallible function of several parameters: its `_grad`'s type,
/// `Option<(f64, (Vec<f64>, Vec<f64>, f64))>`, is no clippy `type_complexity` lint (probe,
/// session 15; CI runs clippy with `-D warnings` on this file).
#[grad]
fn checked_weighted(a: &[f64], b: &[f64], c: f64) -> Option<f64> {
    if a.len() != b.len() {
        return None;
    }
    Some(a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() * c)
}

#[test]
fn a_fallible_gradient_of_several_parameters_has_no_lint() {
    let (value, (d_a, d_b, d_c)) = checked_weighted_grad(&[1.0, 2.0], &[3.0, 4.0], 2.0).unwrap();
    assert_eq!(value, 22.0);
    assert_eq!((d_a, d_b, d_c), (vec![6.0, 8.0], vec![2.0, 4.0], 11.0));
    assert!(checked_weighted_grad(&[1.0], &[], 2.0).is_none());
}

#[test]
fn parameters_named_like_generated_names() {
    assert_eq!(squared_error_grad(2.0, 0.5), (2.25, (3.0, -3.0)));
    assert_eq!(squared_error_tangent(2.0, 0.5, 1.0, Const), (2.25, 3.0));
    assert_eq!(
        squared_error_hvp(2.0, 0.5, 1.0, 0.0),
        (2.25, (3.0, -3.0), (2.0, -2.0))
    );
    let (value, gradient, hv) = shadow_named_hvp(2.0, 3.0, 5.0, 1.0, 0.0, 1.0);
    assert_eq!(
        (value, gradient, hv),
        (6.0, (3.0, 2.0, 0.0), (0.0, 1.0, 0.0))
    );
}

#[test]
fn a_float_type_with_add_assign() {
    assert_eq!(add_assign_bound_grad(&[3.0f64]), (12.0, vec![7.0]));
}

#[test]
fn jacobians_sized_at_run_time() {
    let (value, (d_x, d_s)) = sized_at_run_time_jacobian(&[1.0, 2.0], 3.0);
    assert_eq!(value, vec![3.0, 6.0]);
    assert_eq!(
        (d_x, d_s),
        (vec![vec![3.0, 0.0], vec![0.0, 3.0]], vec![1.0, 2.0])
    );
    assert_eq!(
        two_scalars_to_a_vec_jacobian(1.0, 2.0),
        (vec![2.0, 3.0], (vec![2.0, 1.0], vec![1.0, 1.0]))
    );
}

#[test]
fn generics_the_arguments_do_not_decide() {
    let (value, d) = softened_grad::<Tiny>(0.5);
    assert_eq!(value, (0.25f64 + 1e-3).sqrt());
    assert!((d - 0.5 / value).abs() < 1e-15);
    assert_eq!(power_grad::<3>(&[2.0, 1.0]), (8.0, vec![12.0, 8.0]));

    let (value, gradient, hv) = softened_hvp::<Tiny>(0.5, 1.0);
    let s = (0.25f64 + 1e-3).sqrt();
    assert_eq!((value, gradient), (s, 0.5 / s));
    // d/dx (x / s) = 1/s - x^2 / s^3
    assert!((hv - (1.0 / s - 0.25 / s.powi(3))).abs() < 1e-14);
    assert_eq!(softened_tangent::<Tiny, _>(0.5, 2.0), (s, 1.0 / s));
    assert_eq!(
        power_hessian::<3>(&[2.0, 1.0]),
        (
            8.0,
            vec![12.0, 8.0],
            vec![vec![12.0, 12.0], vec![12.0, 0.0]]
        )
    );
    assert_eq!(
        softened_pair_jacobian::<Tiny>(&[2.0, 3.0]),
        ([2e-3, 6.0], [[1e-3, 0.0], [3.0, 2.0]])
    );

    // 3 x^2 sqrt(x^2 + eps) + 2 x^2 + eps, at x = 0.5
    let scale = Scale { by: 2.0 };
    let x = 0.5;
    let (value, d) = calls_with_named_generics_grad(x, &scale);
    assert_eq!(value, calls_with_named_generics(x, &scale));
    let expected = 6.0 * x * s + 3.0 * x * x * x / s + 4.0 * x;
    assert!((d - expected).abs() < 1e-13, "{d} vs {expected}");
    let (_, t) = calls_with_named_generics_tangent(x, &scale, 1.0);
    assert!((t - expected).abs() < 1e-13);
    let (_, g, hv) = calls_with_named_generics_hvp(x, &scale, 1.0);
    assert!((g - expected).abs() < 1e-13);
    let h = 1e-5;
    let fd = (calls_with_named_generics_grad(x + h, &scale).1
        - calls_with_named_generics_grad(x - h, &scale).1)
        / (2.0 * h);
    assert!((hv - fd).abs() < 1e-6, "{hv} vs {fd}");
}

/// A function used only through its pullback, as a training loop uses its loss: not dead
/// code (a `dead_code` warning on the original, under `#![deny(warnings)]` an error).
#[grad]
fn only_pulled_back(w: f64, x: f64) -> f64 {
    (w * x - 1.0).powi(2)
}

#[test]
fn a_function_used_only_through_its_adjoint() {
    let mut d_w = 0.0;
    let value = only_pulled_back_adjoint(0.5, 2.0, 0.5, &mut d_w, Const);
    assert_eq!((value, d_w), (0.0, 0.0));
    only_pulled_back_adjoint(1.0, 2.0, 0.5, &mut d_w, Const);
    assert_eq!(d_w, 0.5 * 2.0 * (2.0 - 1.0) * 2.0);
}

/// A deprecated `#[grad]` function (probe): its generated items called it, and each other,
/// with a `deprecated` warning each, which `#![deny(warnings)]` turned into errors with no
/// call of it anywhere. They are deprecated with it now.
#[deprecated(note = "use `square` instead")]
#[grad(modes(tangent, hvp))]
pub fn old_square(x: f64) -> f64 {
    x * x
}

#[test]
#[allow(deprecated)]
fn deprecated_functions_differentiate_quietly() {
    assert_eq!(old_square_grad(3.0), (9.0, 6.0));
    assert_eq!(old_square_tangent(3.0, 1.0), (9.0, 6.0));
}

/// Lint expectations on a `#[grad]` function (probe, edition 2024 code): copied onto the
/// generated items, where the lints do not fire, they were unfulfilled (errors here). The
/// items allow what the function expects.
#[expect(unused_variables, reason = "kept for the example")]
#[expect(clippy::needless_range_loop)]
#[grad(modes(tangent, hvp))]
pub fn expected_lints(w: &[f64; 3]) -> f64 {
    let unused = 1.0;
    let mut s = 0.0;
    for i in 0..3 {
        s += w[i] * w[i];
    }
    s
}

#[test]
fn lint_expectations_stay_on_the_function() {
    assert_eq!(
        expected_lints_grad(&[1.0, 2.0, 3.0]),
        (14.0, [2.0, 4.0, 6.0])
    );
}

/// A closure parameter renamed inside its closure (it shadows a local) beside a local already
/// named like the renamed one.
#[grad]
pub fn closure_renamed_beside_its_new_name(w: &[f64; 3]) -> f64 {
    let h = w[0];
    let h_c1 = w[1];
    let s: f64 = w.iter().map(|h| h * h).sum();
    s * h + h_c1
}

#[test]
fn renamed_closure_parameters_do_not_collide() {
    let w = [1.0, 2.0, 3.0];
    // (w0^2 + w1^2 + w2^2) w0 + w1
    assert_eq!(
        closure_renamed_beside_its_new_name_grad(&w),
        (16.0, [2.0 + 14.0, 4.0 + 1.0, 6.0])
    );
}
