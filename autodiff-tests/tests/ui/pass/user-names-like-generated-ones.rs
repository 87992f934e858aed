#![deny(warnings)]

// User names that the generated code also uses (adjoints, tapes, flags, temporaries, the
// wrapper's locals): they must neither clash nor warn, and the gradient must stay right.

use autodiff::grad;

#[grad]
fn params(x: f64, d_x: f64, d_d_x: f64, grad: f64, adjoint: f64, value: f64) -> f64 {
    x * d_x + d_d_x * grad - adjoint * value
}

#[grad]
fn locals(x: f64) -> f64 {
    let out = x * 2.0;
    let tmp = out + 1.0;
    let grad = tmp * x;
    let adjoint = grad - out;
    let value = adjoint * 2.0;
    let t = value * x;
    let t_1 = t + 1.0;
    let d_t = t_1 * t;
    let d_out_1 = d_t + x;
    let d_tmp = d_out_1 * tmp;
    d_tmp
}

#[grad]
fn early(x: f64, n: usize) -> f64 {
    let returned = x * 2.0;
    let ret = returned * x;
    if n > 3 {
        return ret;
    }
    ret + returned
}

#[grad]
fn with_break(x: f64) -> f64 {
    let mut broke = x;
    let mut exit = 0.0;
    for i in 0..10 {
        broke = broke * x;
        exit += broke;
        if i == 3 {
            break;
        }
    }
    broke + exit
}

#[grad]
fn looped(w: &[f64], x: f64) -> f64 {
    let mut tape = x;
    let mut decisions = 0.0;
    let trips = w.len();
    let len = trips as f64;
    for i in 0..trips {
        let go_on = w[i] * tape;
        if go_on > 0.0 {
            decisions += go_on;
        } else {
            decisions -= go_on;
        }
        tape = tape * 0.5 + go_on;
    }
    let mut i = 0;
    while i < 2 {
        tape = tape * x;
        i += 1;
    }
    tape + decisions * len
}

#[grad]
fn sq(v: f64) -> f64 {
    v * v
}

#[grad]
fn caller(x: f64) -> f64 {
    let d_arg = sq(x);
    let t = sq(d_arg);
    t + d_arg
}

#[grad]
fn generic<DX: autodiff::Float, const DY: usize>(x: DX, y: DX, w: [DX; DY]) -> DX {
    let mut dx = x * y;
    for i in 0..DY {
        dx = dx + w[i];
    }
    dx + x
}

/// Central difference of `f` at `x`.
fn diff(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * (1.0 + a.abs().max(b.abs()))
}

fn main() {
    let (v, (a, b, c, d, e, f)) = params_grad(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    assert_eq!((v, a, b, c, d, e, f), (-16.0, 2.0, 1.0, 4.0, 3.0, -6.0, -5.0));

    let (v, d) = locals_grad(0.7);
    assert!(close(v, locals(0.7)) && close(d, diff(locals, 0.7)));

    for n in [1, 5] {
        let (v, d) = early_grad(0.7, n);
        assert!(close(v, early(0.7, n)) && close(d, diff(|x| early(x, n), 0.7)));
    }

    let (v, d) = with_break_grad(0.9);
    assert!(close(v, with_break(0.9)) && close(d, diff(with_break, 0.9)));

    let w = [0.5, -1.5, 2.0];
    let (v, (d_w, d_x)) = looped_grad(&w, 0.8);
    assert!(close(v, looped(&w, 0.8)) && close(d_x, diff(|x| looped(&w, x), 0.8)));
    for k in 0..3 {
        let along = |s: f64| {
            let mut w2 = w;
            w2[k] = s;
            looped(&w2, 0.8)
        };
        assert!(close(d_w[k], diff(along, w[k])));
    }

    let (v, d) = caller_grad(1.1);
    assert!(close(v, caller(1.1)) && close(d, diff(caller, 1.1)));

    let (v, (d_x, d_y, d_w)) = generic_grad(2.0_f64, 3.0_f64, [1.0, 2.0]);
    assert_eq!((v, d_x, d_y, d_w), (11.0, 4.0, 2.0, [1.0, 1.0]));
}
