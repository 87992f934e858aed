//! A model's `#[params(skip)]` enum field (a distribution's family, a layer's activation)
//! chosen by `match`, `if let`, `matches!` and `==`: data the branches are taken on, the
//! other fields differentiated in the branch taken. An enum parameter taken by value and
//! only handed on to a helper (a heat exchanger's flow arrangement: a thermodynamics probe)
//! is data under a bare `#[grad]` too, as a matched one is; so is one whose getter the body
//! calls (EN 1993-1-1's buckling curve, `curve.alpha()`: a structural reliability probe). A
//! model taken by value whose method is applied to inputs (`m.predict(x)`) stays a model.

use autodiff::{grad, Params};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    Normal,
    Laplace,
}

#[derive(Clone, Debug, Params)]
pub struct Dist {
    pub loc: f64,
    pub log_scale: f64,
    #[params(skip)]
    pub family: Family,
}

impl Dist {
    /// The log-density at `x`.
    #[grad(self)]
    pub fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.loc) / self.log_scale.exp();
        match self.family {
            Family::Normal => -0.5 * z * z - self.log_scale,
            Family::Laplace => -z.abs() - self.log_scale,
        }
    }

    /// The same, the family tested the three other ways.
    #[grad(self)]
    pub fn ln_pdf_tested(&self, x: f64) -> f64 {
        let z = (x - self.loc) / self.log_scale.exp();
        if let Family::Laplace = self.family {
            return -z.abs() - self.log_scale;
        }
        if matches!(self.family, Family::Normal) && self.family == Family::Normal {
            -0.5 * z * z - self.log_scale
        } else {
            0.0
        }
    }
}

#[test]
fn the_branch_the_enum_picks_is_differentiated() {
    let x = 0.9;
    for family in [Family::Normal, Family::Laplace] {
        let d = Dist {
            loc: 0.3,
            log_scale: -0.2,
            family,
        };
        let s = d.log_scale.exp();
        let z = (x - d.loc) / s;
        // d/dloc and d/dlog_scale of each family's log-density.
        let (loc, log_scale) = match family {
            Family::Normal => (z / s, z * z - 1.0),
            Family::Laplace => (z.signum() / s, z.abs() - 1.0),
        };
        for (value, g) in [d.ln_pdf_grad(x), d.ln_pdf_tested_grad(x)] {
            assert_eq!(value, d.ln_pdf(x));
            assert!((g.loc - loc).abs() < 1e-14 && (g.log_scale - log_scale).abs() < 1e-14);
            assert_eq!(g.family, family);
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum FlowArrangement {
    CoCurrent,
    CounterCurrent,
}

#[grad]
fn approaches(t: [f64; 4], arrangement: FlowArrangement) -> [f64; 2] {
    match arrangement {
        FlowArrangement::CoCurrent => [t[0] - t[2], t[1] - t[3]],
        FlowArrangement::CounterCurrent => [t[0] - t[3], t[1] - t[2]],
    }
}

/// The log-mean temperature difference, the arrangement handed on.
#[grad]
fn lmtd(t: [f64; 4], arrangement: FlowArrangement) -> f64 {
    let d = approaches(t, arrangement);
    (d[0] - d[1]) / (d[0] / d[1]).ln()
}

#[test]
fn an_enum_handed_on_by_value_is_data() {
    let t = [90.0, 60.0, 20.0, 40.0];
    for arrangement in [FlowArrangement::CoCurrent, FlowArrangement::CounterCurrent] {
        let (value, d_t) = lmtd_grad(t, arrangement);
        assert_eq!(value, lmtd(t, arrangement));
        for i in 0..4 {
            let h = 1e-6;
            let (mut up, mut down) = (t, t);
            up[i] += h;
            down[i] -= h;
            let fd = (lmtd(up, arrangement) - lmtd(down, arrangement)) / (2.0 * h);
            assert!((d_t[i] - fd).abs() < 1e-7, "{i}: {} {fd}", d_t[i]);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucklingCurve {
    A,
    B,
}

impl BucklingCurve {
    pub fn alpha(self) -> f64 {
        match self {
            Self::A => 0.21,
            Self::B => 0.34,
        }
    }
}

/// EN 1993-1-1's reduction factor for flexural buckling.
#[grad]
fn chi(lambda_bar: f64, curve: BucklingCurve) -> f64 {
    let alpha = curve.alpha();
    let phi = 0.5 * (1.0 + alpha * (lambda_bar - 0.2) + lambda_bar * lambda_bar);
    1.0 / (phi + (phi * phi - lambda_bar * lambda_bar).max(0.0).sqrt())
}

#[test]
fn an_enum_whose_getter_is_called_is_data() {
    for curve in [BucklingCurve::A, BucklingCurve::B] {
        for l in [0.5, 1.0, 1.7] {
            let (value, d) = chi_grad(l, curve);
            assert_eq!(value, chi(l, curve));
            let h = 1e-6;
            let fd = (chi(l + h, curve) - chi(l - h, curve)) / (2.0 * h);
            assert!((d - fd).abs() < 1e-7, "{l}: {d} {fd}");
        }
    }
}

#[derive(Clone, Copy, Debug, Params)]
pub struct Line {
    w: f64,
    b: f64,
}

#[grad(self)]
impl Line {
    fn predict(&self, x: f64) -> f64 {
        self.w * x + self.b
    }
}

#[grad]
fn squared_error(m: Line, x: f64, y: f64) -> f64 {
    (m.predict(x) - y).powi(2)
}

#[test]
fn a_model_by_value_whose_method_is_applied_stays_a_model() {
    let m = Line { w: 2.0, b: -1.0 };
    let (value, (d_m, d_x, d_y)) = squared_error_grad(m, 1.5, 1.0);
    let r = 2.0 * 1.5 - 1.0 - 1.0;
    assert_eq!(value, r * r);
    assert_eq!(
        (d_m.w, d_m.b, d_x, d_y),
        (2.0 * r * 1.5, 2.0 * r, 2.0 * r * 2.0, -2.0 * r)
    );
}
