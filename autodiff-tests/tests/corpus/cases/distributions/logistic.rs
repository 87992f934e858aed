//! Logistic distribution in the numerically stable forms a careful crate uses: `ln_pdf`
//! through the symmetric |z| (so e^{-|z|} never overflows, a kink the density does not have),
//! and a CDF choosing between two forms of the sigmoid by the sign of z.

use crate::check::{Case, Reference};
use autodiff::{grad, Const, Params};

#[derive(Debug, PartialEq)]
pub enum LogisticError {
    LocationInvalid,
    ScaleInvalid,
}

/// Logistic(μ, s): density e^{-z} / (s (1 + e^{-z})²), z = (x - μ)/s.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Logistic {
    location: f64,
    scale: f64,
}

impl Logistic {
    pub fn new(location: f64, scale: f64) -> Result<Logistic, LogisticError> {
        if !location.is_finite() {
            Err(LogisticError::LocationInvalid)
        } else if !(scale.is_finite() && scale > 0.0) {
            Err(LogisticError::ScaleInvalid)
        } else {
            Ok(Logistic { location, scale })
        }
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
}

#[grad(self, x)]
impl Continuous for Logistic {
    fn ln_pdf(&self, x: f64) -> f64 {
        // The density is even in z: use |z| so that the exponential is at most 1.
        let z = ((x - self.location) / self.scale).abs();
        -z - 2.0 * (-z).exp().ln_1p() - self.scale.ln()
    }

    fn cdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if z >= 0.0 {
            1.0 / (1.0 + (-z).exp())
        } else {
            let e = z.exp();
            e / (1.0 + e)
        }
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: -1.44815396836021336174599471016,
        gradient: &[
            0.244918662403709129277801131491,
            -0.877540668798145435361099434254,
            -0.244918662403709129277801131491,
        ],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: -16.6137056693400686386385119601,
        gradient: &[
            -3.99999987816016389791720844473,
            67.9999978068829501625097520052,
            3.99999987816016389791720844473,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: -4.48346906426737473635231608263,
        gradient: &[
            0.226287063411216609560575924114,
            0.428861190233649828681727772342,
            -0.226287063411216609560575924114,
        ],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: -2.08041794527549637456064299886,
        gradient: &[
            -0.0156199157230156283840893395546,
            -0.499023755267311523225994416278,
            0.0156199157230156283840893395546,
        ],
    },
    Reference {
        at: &[0.0, 0.5, -20.0],
        value: -39.3068528194400546990794763891,
        gradient: &[
            -1.99999999999999998300658297883,
            77.9999999999999993202633191533,
            1.99999999999999998300658297883,
        ],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: 0.622459331201854564638900565746,
        gradient: &[
            -0.235003712201594489069302695021,
            -0.117501856100797244534651347511,
            0.235003712201594489069302695021,
        ],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: 1.52299795127603489444082088012e-8,
        gradient: &[
            -6.09199171232322919412330118642e-8,
            1.09655850821818125494219421356e-6,
            6.09199171232322919412330118642e-8,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: 0.952574126822433219121151848228,
        gradient: &[
            -0.0112941649327280331623400071089,
            -0.0338824947981840994870200213267,
            0.0112941649327280331623400071089,
        ],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: 0.484380084276984371615910660445,
        gradient: &[
            -0.12487800911640294457959313772,
            0.0078048755697751840362245711075,
            0.12487800911640294457959313772,
        ],
    },
    Reference {
        at: &[0.0, 0.5, -20.0],
        value: 4.2483542552915889772807209044e-18,
        gradient: &[
            -8.4967085105831779184644140519e-18,
            3.39868340423327116738576562076e-16,
            8.4967085105831779184644140519e-18,
        ],
    },
];
// references.py: CDF (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// The flat inputs `[location, scale, x]`.
fn split(p: &[f64]) -> (Logistic, f64) {
    (Logistic::new(p[0], p[1]).unwrap(), p[2])
}

fn join(g: &Logistic, dx: f64) -> Vec<f64> {
    vec![g.location, g.scale, dx]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// d/du of -u - 2 ln(1 + e^{-u}) is -tanh(u/2), u = (x - μ)/s:
/// d/dμ = tanh(u/2)/s, d/ds = (u tanh(u/2) - 1)/s, d/dx = -tanh(u/2)/s
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let s = d.scale;
    let u = (x - d.location) / s;
    let t = (u / 2.0).tanh();
    vec![t / s, (u * t - 1.0) / s, -t / s]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// σ'(u) = σ(u) σ(-u): d/dx = σ'/s, d/dμ = -σ'/s, d/ds = -u σ'/s
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let s = d.scale;
    let u = (x - d.location) / s;
    let e = (-u.abs()).exp();
    let slope = e / ((1.0 + e) * (1.0 + e)) / s;
    vec![-slope, -u * slope, slope]
}

fn case(name: &'static str) -> Case {
    Case::ranges(name, &[(-2.0, 2.0), (0.3, 3.0), (-8.0, 8.0)])
}

#[test]
fn validation() {
    assert_eq!(Logistic::new(0.0, 0.0), Err(LogisticError::ScaleInvalid));
    assert_eq!(
        Logistic::new(f64::NEG_INFINITY, 1.0),
        Err(LogisticError::LocationInvalid)
    );
    // Far in the tails: finite, not -inf or NaN.
    let d = Logistic::new(0.0, 1.0).unwrap();
    assert!((d.ln_pdf(-800.0) + 800.0).abs() < 1e-12);
    assert_eq!(d.cdf(-800.0), 0.0);
}

#[test]
fn reference() {
    case("logistic.ln_pdf").reference(ln_pdf, ln_pdf_hand);
    case("logistic.ln_pdf").high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        TOL,
    );
    case("logistic.cdf").reference(cdf, cdf_hand);
    case("logistic.cdf").high_precision("cdf, hand gradient", CDF, |p| (cdf(p), cdf_hand(p)), TOL);
}

// ---- generated ----

fn grad_of(
    method: impl Fn(&Logistic, f64) -> (f64, (Logistic, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        (v, join(&g, dx))
    }
}

fn adjoint_of(
    method: impl Fn(&Logistic, f64, f64, &mut Logistic, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Logistic {
            location: acc[0],
            scale: acc[1],
        };
        let mut dx = acc[2];
        let v = method(&d, x, d_out, &mut g, &mut dx);
        acc.copy_from_slice(&join(&g, dx));
        v
    }
}

#[test]
fn generated() {
    let grad = grad_of(|d, x| d.ln_pdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.ln_pdf_adjoint(x, d_out, g, dx));
    case("logistic.ln_pdf").generated(ln_pdf, ln_pdf_hand, &grad, adjoint);
    case("logistic.ln_pdf").high_precision("ln_pdf_grad", LN_PDF, grad, TOL);

    let grad = grad_of(|d, x| d.cdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx));
    case("logistic.cdf").generated(cdf, cdf_hand, &grad, adjoint);
    case("logistic.cdf").high_precision("cdf_grad", CDF, grad, TOL);
}

#[test]
fn generated_parameters_only() {
    // The argument as data: `Const` for `x`.
    case("logistic.ln_pdf").partially_active(ln_pdf_hand, &[true, true, false], |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Logistic {
            location: acc[0],
            scale: acc[1],
        };
        let v = d.ln_pdf_adjoint(x, d_out, &mut g, Const);
        acc[..2].copy_from_slice(&[g.location, g.scale]);
        v
    });
}
