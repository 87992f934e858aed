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
