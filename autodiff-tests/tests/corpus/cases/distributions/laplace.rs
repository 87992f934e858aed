//! Laplace distribution: a kink in `ln_pdf` through `abs`, and a CDF and survival function
//! defined piecewise by an `if` on the argument against the location, each branch `exp` of
//! the scaled distance.

use crate::check::{Case, Reference};
use autodiff::{grad, Params};

#[derive(Debug, PartialEq)]
pub enum LaplaceError {
    LocationInvalid,
    ScaleInvalid,
}

/// Laplace(μ, b): density e^{-|x - μ|/b} / 2b.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Laplace {
    location: f64,
    scale: f64,
}

impl Laplace {
    pub fn new(location: f64, scale: f64) -> Result<Laplace, LaplaceError> {
        if location.is_nan() {
            return Err(LaplaceError::LocationInvalid);
        }
        if scale.is_nan() || scale <= 0.0 {
            return Err(LaplaceError::ScaleInvalid);
        }
        Ok(Laplace { location, scale })
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
    fn sf(&self, x: f64) -> f64;
}

#[grad(self, x)]
impl Continuous for Laplace {
    fn ln_pdf(&self, x: f64) -> f64 {
        -(2.0 * self.scale).ln() - (x - self.location).abs() / self.scale
    }

    fn cdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if x < self.location {
            0.5 * z.exp()
        } else {
            1.0 - 0.5 * (-z).exp()
        }
    }

    fn sf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if x < self.location {
            1.0 - 0.5 * z.exp()
        } else {
            0.5 * (-z).exp()
        }
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: -1.19314718055994530941723212146,
        gradient: &[1.0, -0.5, -1.0],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: -17.3068528194400546905827678785,
        gradient: &[-4.0, 68.0, 4.0],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: -5.07944154167983592825169636437,
        gradient: &[0.25, 0.5, -0.25],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: -1.44879436111989061883446424292,
        gradient: &[-0.5, -0.46875, 0.5],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: 0.696734670143683288198100232504,
        gradient: &[
            -0.303265329856316711801899767496,
            -0.151632664928158355900949883748,
            0.303265329856316711801899767496,
        ],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: 7.61498987235631421806831461676e-9,
        gradient: &[
            -3.0459959489425256872273258467e-8,
            5.48279270809654623700918652407e-7,
            3.0459959489425256872273258467e-8,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: 0.975106465816068028510328792175,
        gradient: &[
            -0.00622338354598299287241780195626,
            -0.0186701506379489786172534058688,
            0.00622338354598299287241780195626,
        ],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: 0.469706531406737893059855412311,
        gradient: &[
            -0.234853265703368946529927706156,
            0.0146783291064605591581204816347,
            0.234853265703368946529927706156,
        ],
    },
];
// references.py: CDF (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// The flat inputs `[location, scale, x]`.
fn split(p: &[f64]) -> (Laplace, f64) {
    (Laplace::new(p[0], p[1]).unwrap(), p[2])
}

fn join(g: &Laplace, dx: f64) -> Vec<f64> {
    vec![g.location, g.scale, dx]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// d/dμ = sign(x - μ)/b, d/db = -1/b + |x - μ|/b², d/dx = -sign(x - μ)/b
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let (m, b) = (d.location, d.scale);
    let sign = (x - m).signum();
    vec![sign / b, -1.0 / b + (x - m).abs() / (b * b), -sign / b]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// The density f = e^{-|z|}/2b: d/dx = f, d/dμ = -f, d/db = -z f
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let z = (x - d.location) / d.scale;
    let f = (-z.abs()).exp() / (2.0 * d.scale);
    vec![-f, -z * f, f]
}

fn sf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.sf(x)
}

fn sf_hand(p: &[f64]) -> Vec<f64> {
    cdf_hand(p).iter().map(|g| -g).collect()
}

fn case(name: &'static str) -> Case {
    Case::ranges(name, &[(-2.0, 2.0), (0.3, 3.0), (-6.0, 6.0)])
}

#[test]
fn validation() {
    assert_eq!(Laplace::new(0.0, -1.0), Err(LaplaceError::ScaleInvalid));
    assert_eq!(
        Laplace::new(f64::NAN, 1.0),
        Err(LaplaceError::LocationInvalid)
    );
}

#[test]
fn reference() {
    case("laplace.ln_pdf").reference(ln_pdf, ln_pdf_hand);
    case("laplace.ln_pdf").high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        TOL,
    );
    case("laplace.cdf").reference(cdf, cdf_hand);
    case("laplace.cdf").high_precision("cdf, hand gradient", CDF, |p| (cdf(p), cdf_hand(p)), TOL);
    case("laplace.sf").reference(sf, sf_hand);
    // sf = 1 - cdf: the same references, negated.
    for r in CDF {
        let (d, x) = split(r.at);
        assert!((d.sf(x) - (1.0 - r.value)).abs() <= 1e-15);
    }
}

// ---- generated ----

fn grad_of(
    method: impl Fn(&Laplace, f64) -> (f64, (Laplace, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        (v, join(&g, dx))
    }
}

fn adjoint_of(
    method: impl Fn(&Laplace, f64, f64, &mut Laplace, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Laplace {
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
    case("laplace.ln_pdf").generated(ln_pdf, ln_pdf_hand, &grad, adjoint);
    case("laplace.ln_pdf").high_precision("ln_pdf_grad", LN_PDF, grad, TOL);

    let grad = grad_of(|d, x| d.cdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx));
    case("laplace.cdf").generated(cdf, cdf_hand, &grad, adjoint);
    case("laplace.cdf").high_precision("cdf_grad", CDF, grad, TOL);

    let grad = grad_of(|d, x| d.sf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.sf_adjoint(x, d_out, g, dx));
    case("laplace.sf").generated(sf, sf_hand, &grad, adjoint);
}

#[test]
fn generated_at_the_kink() {
    // abs'(0) = 0: at x = μ only the normaliser's -1/b is left.
    let d = Laplace::new(0.5, 2.0).unwrap();
    let (_, (g, dx)) = d.ln_pdf_grad(0.5);
    assert_eq!((g.location, g.scale, dx), (0.0, -0.5, 0.0));
}
