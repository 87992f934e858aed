//! Weibull distribution (shape k, scale λ): `powf` with both the base and the exponent
//! differentiated, `ln` of a ratio of parameters, `-exp_m1` for the CDF, -∞ / 0 outside the
//! support by early returns.

use crate::check::{Case, Reference};
use autodiff::{grad, Params};

#[derive(Debug, PartialEq)]
pub enum WeibullError {
    ShapeInvalid,
    ScaleInvalid,
}

/// Weibull(k, λ): density (k/λ) (x/λ)^{k-1} e^{-(x/λ)^k} on x ≥ 0.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Weibull {
    shape: f64,
    scale: f64,
}

impl Weibull {
    pub fn new(shape: f64, scale: f64) -> Result<Weibull, WeibullError> {
        match (
            shape > 0.0 && shape.is_finite(),
            scale > 0.0 && scale.is_finite(),
        ) {
            (false, _) => Err(WeibullError::ShapeInvalid),
            (_, false) => Err(WeibullError::ScaleInvalid),
            _ => Ok(Weibull { shape, scale }),
        }
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
}

#[grad(self, x)]
impl Continuous for Weibull {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return f64::NEG_INFINITY;
        }
        let ratio = x / self.scale;
        (self.shape / self.scale).ln() + (self.shape - 1.0) * ratio.ln() - ratio.powf(self.shape)
    }

    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        -(-(x / self.scale).powf(self.shape)).exp_m1()
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[1.5, 1.0, 0.5],
        value: -0.294661872765082034931025126317,
        gradient: &[
            0.218584021973858155177909976117,
            -0.969669914110089356699366728421,
            -0.0606601717798212866012665431573,
        ],
    },
    Reference {
        at: &[0.75, 2.0, 3.0],
        value: -2.43759853545353458029428148566,
        gradient: &[
            1.18922981532086819991731269303,
            0.133276127030537717978747654751,
            -0.422184084687025145319165103168,
        ],
    },
    Reference {
        at: &[5.0, 0.5, 0.625],
        value: 0.143401485750884707083171815924,
        gradient: &[-0.257836524717924508657212875724, 20.517578125, -18.0140625],
    },
    Reference {
        at: &[2.0, 10.0, 1.0],
        value: -3.92202300542814605861875078791,
        gradient: &[-1.77955924206410522717781154014, -0.198, 0.98],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[1.5, 1.0, 0.5],
        value: 0.297811498673440403761812520254,
        gradient: &[
            -0.172081499168833699184407074627,
            -0.372391688219421984364389876065,
            0.744783376438843968728779752129,
        ],
    },
    Reference {
        at: &[0.75, 2.0, 3.0],
        value: 0.742156638760332668655234484975,
        gradient: &[
            0.141702621790809151698139373356,
            -0.131055625031433977792572432946,
            0.087370416687622651861714955297,
        ],
    },
    Reference {
        at: &[5.0, 0.5, 0.625],
        value: 0.952724250593709455017308453578,
        gradient: &[
            0.0321938434251718616326359480741,
            -1.44274137592439407295811604072,
            1.15419310073951525836649283257,
        ],
    },
    Reference {
        at: &[2.0, 10.0, 1.0],
        value: 0.00995016625083194642609402281996,
        gradient: &[
            -0.0227967398851206759176302370223,
            -0.00198009966749833610714781195436,
            0.0198009966749833610714781195436,
        ],
    },
];
// references.py: CDF (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// The flat inputs `[shape, scale, x]`.
fn split(p: &[f64]) -> (Weibull, f64) {
    (Weibull::new(p[0], p[1]).unwrap(), p[2])
}

fn join(g: &Weibull, dx: f64) -> Vec<f64> {
    vec![g.shape, g.scale, dx]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// r = x/λ, t = r^k: d/dk = 1/k + ln r - t ln r, d/dλ = k (t - 1)/λ, d/dx = (k - 1 - k t)/x
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let (k, l) = (d.shape, d.scale);
    let r = x / l;
    let t = r.powf(k);
    vec![
        1.0 / k + r.ln() - t * r.ln(),
        k * (t - 1.0) / l,
        (k - 1.0 - k * t) / x,
    ]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// F = 1 - e^{-t}: dF = e^{-t} dt, dt/dk = t ln r, dt/dλ = -k t/λ, dt/dx = k t/x
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let (k, l) = (d.shape, d.scale);
    let r = x / l;
    let t = r.powf(k);
    let e = (-t).exp();
    vec![e * t * r.ln(), -e * k * t / l, e * k * t / x]
}

fn case(name: &'static str) -> Case {
    Case::ranges(name, &[(0.5, 5.0), (0.3, 3.0), (0.05, 5.0)])
}

#[test]
fn validation() {
    assert_eq!(Weibull::new(0.0, 1.0), Err(WeibullError::ShapeInvalid));
    assert_eq!(
        Weibull::new(1.0, f64::INFINITY),
        Err(WeibullError::ScaleInvalid)
    );
    let d = Weibull::new(2.0, 1.0).unwrap();
    assert_eq!((d.ln_pdf(-1.0), d.cdf(-1.0)), (f64::NEG_INFINITY, 0.0));
}

#[test]
fn reference() {
    case("weibull.ln_pdf").reference(ln_pdf, ln_pdf_hand);
    case("weibull.ln_pdf").high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        TOL,
    );
    case("weibull.cdf").reference(cdf, cdf_hand);
    case("weibull.cdf").high_precision("cdf, hand gradient", CDF, |p| (cdf(p), cdf_hand(p)), TOL);
}

// ---- generated ----

fn grad_of(
    method: impl Fn(&Weibull, f64) -> (f64, (Weibull, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        (v, join(&g, dx))
    }
}

fn adjoint_of(
    method: impl Fn(&Weibull, f64, f64, &mut Weibull, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Weibull {
            shape: acc[0],
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
    case("weibull.ln_pdf").generated(ln_pdf, ln_pdf_hand, &grad, adjoint);
    case("weibull.ln_pdf").high_precision("ln_pdf_grad", LN_PDF, grad, TOL);

    let grad = grad_of(|d, x| d.cdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx));
    case("weibull.cdf").generated(cdf, cdf_hand, &grad, adjoint);
    case("weibull.cdf").high_precision("cdf_grad", CDF, grad, TOL);
}
