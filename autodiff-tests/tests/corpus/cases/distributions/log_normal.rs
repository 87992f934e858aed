//! Log-normal distribution: `ln_pdf` returns a `Result`, an early `Err` carrying the argument
//! outside the support (the `?`-friendly style), and its moments are a second trait whose impl
//! carries `#[grad(self)]`.

use crate::check::{Case, Reference};
use autodiff::{grad, Params};

/// ½ ln 2π
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

#[derive(Debug, PartialEq)]
pub enum LogNormalError {
    LocationInvalid,
    ScaleInvalid,
}

/// A point where the density is not defined: the log-normal lives on x > 0.
#[derive(Debug, PartialEq)]
pub struct OutsideSupport(pub f64);

/// ln X ~ N(location, scale²)
#[derive(Clone, Debug, PartialEq, Params)]
pub struct LogNormal {
    location: f64,
    scale: f64,
}

impl LogNormal {
    pub fn new(location: f64, scale: f64) -> Result<LogNormal, LogNormalError> {
        if !location.is_finite() {
            return Err(LogNormalError::LocationInvalid);
        }
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(LogNormalError::ScaleInvalid);
        }
        Ok(LogNormal { location, scale })
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> Result<f64, OutsideSupport>;
}

pub trait Moments {
    fn mean(&self) -> f64;
    fn variance(&self) -> f64;
}

#[grad(self, x)]
impl Continuous for LogNormal {
    fn ln_pdf(&self, x: f64) -> Result<f64, OutsideSupport> {
        if x <= 0.0 {
            return Err(OutsideSupport(x));
        }
        let ln_x = x.ln();
        let z = (ln_x - self.location) / self.scale;
        Ok(-ln_x - self.scale.ln() - LN_SQRT_2PI - 0.5 * z * z)
    }
}

#[grad(self)]
impl Moments for LogNormal {
    fn mean(&self) -> f64 {
        (self.location + self.scale * self.scale / 2.0).exp()
    }

    fn variance(&self) -> f64 {
        let s2 = self.scale * self.scale;
        s2.exp_m1() * (2.0 * self.location + s2).exp()
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 1.5],
        value: -1.40660461825941983858466096012,
        gradient: &[
            0.405465108108164381978013115464,
            -0.835598046106834570347363783497,
            -0.936976738738776254652008743643,
        ],
    },
    Reference {
        at: &[0.5, 0.25, 2.0],
        value: -0.524238019510776354362060853895,
        gradient: &[
            3.09035488895912495067571394333,
            -1.61242666507160862400829408842,
            -2.04517744447956247533785697167,
        ],
    },
    Reference {
        at: &[-1.0, 2.0, 0.125],
        value: 0.321706572677200256366568255487,
        gradient: &[
            -0.269860385419958982062924091094,
            -0.354350744761982379312433748976,
            -5.84111691664032814349660727125,
        ],
    },
    Reference {
        at: &[1.0, 0.5, 10.0],
        value: -5.92183229461938640143245602808,
        gradient: &[
            5.21034037197618273607196581874,
            11.5738233959224531402054678338,
            -0.621034037197618273607196581874,
        ],
    },
];
// references.py: LN_PDF (end)

// references.py: MEAN (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const MEAN: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0],
        value: 1.64872127070012814684865078781,
        gradient: &[
            1.64872127070012814684865078781,
            1.64872127070012814684865078781,
        ],
    },
    Reference {
        at: &[0.5, 0.25],
        value: 1.70105730184840067940618349548,
        gradient: &[
            1.70105730184840067940618349548,
            0.425264325462100169851545873871,
        ],
    },
    Reference {
        at: &[-1.0, 2.0],
        value: 2.71828182845904523536028747135,
        gradient: &[
            2.71828182845904523536028747135,
            5.43656365691809047072057494271,
        ],
    },
];
// references.py: MEAN (end)

// references.py: VARIANCE (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const VARIANCE: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0],
        value: 4.67077427047160499187013998922,
        gradient: &[
            9.34154854094320998374027997844,
            24.1196607388045104382011348996,
        ],
    },
    Reference {
        at: &[0.5, 0.25],
        value: 0.18662090474627030353038660688,
        gradient: &[
            0.37324180949254060706077321376,
            1.63341887683215077426752724283,
        ],
    },
    Reference {
        at: &[-1.0, 2.0],
        value: 396.039737393804472381156753083,
        gradient: &[
            792.079474787608944762313506166,
            3197.8741235461583799581757345,
        ],
    },
];
// references.py: VARIANCE (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// A method on the flat inputs, its hand gradient and its references.
type Method = (
    &'static str,
    fn(&[f64]) -> f64,
    fn(&[f64]) -> Vec<f64>,
    &'static [Reference],
);

/// The flat inputs `[location, scale, x]`; the moments read the first two.
fn split(p: &[f64]) -> (LogNormal, f64) {
    (
        LogNormal::new(p[0], p[1]).unwrap(),
        p.get(2).copied().unwrap_or(f64::NAN),
    )
}

fn join(g: &LogNormal) -> Vec<f64> {
    vec![g.location, g.scale]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x).unwrap()
}

/// z = (ln x - μ)/σ: d/dμ = z/σ, d/dσ = (z² - 1)/σ, d/dx = -(1 + z/σ)/x
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let (m, s) = (d.location, d.scale);
    let z = (x.ln() - m) / s;
    vec![z / s, (z * z - 1.0) / s, -(1.0 + z / s) / x]
}

fn mean(p: &[f64]) -> f64 {
    split(p).0.mean()
}

/// m = e^{μ + σ²/2}: d/dμ = m, d/dσ = σ m
fn mean_hand(p: &[f64]) -> Vec<f64> {
    let (d, _) = split(p);
    let m = d.mean();
    vec![m, d.scale * m]
}

fn variance(p: &[f64]) -> f64 {
    split(p).0.variance()
}

/// v = (e^{σ²} - 1) e^{2μ + σ²}: d/dμ = 2v, d/dσ = 2σ (e^{2μ + 2σ²} + v)
fn variance_hand(p: &[f64]) -> Vec<f64> {
    let (d, _) = split(p);
    let (m, s) = (d.location, d.scale);
    let v = d.variance();
    vec![2.0 * v, 2.0 * s * ((2.0 * m + 2.0 * s * s).exp() + v)]
}

fn ln_pdf_case() -> Case {
    Case::ranges("log_normal.ln_pdf", &[(-1.0, 1.0), (0.3, 2.0), (0.05, 8.0)])
}

fn moments_case(name: &'static str) -> Case {
    Case::ranges(name, &[(-1.0, 1.0), (0.3, 2.0)])
}

#[test]
fn validation() {
    assert_eq!(LogNormal::new(0.0, -1.0), Err(LogNormalError::ScaleInvalid));
    assert_eq!(
        LogNormal::new(f64::INFINITY, 1.0),
        Err(LogNormalError::LocationInvalid)
    );
    let d = LogNormal::new(0.0, 1.0).unwrap();
    assert_eq!(d.ln_pdf(-2.0), Err(OutsideSupport(-2.0)));
    assert_eq!(d.ln_pdf(0.0), Err(OutsideSupport(0.0)));
}

#[test]
fn reference() {
    ln_pdf_case().reference(ln_pdf, ln_pdf_hand);
    ln_pdf_case().high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        TOL,
    );
    moments_case("log_normal.mean").reference(mean, mean_hand);
    moments_case("log_normal.mean").high_precision(
        "mean, hand gradient",
        MEAN,
        |p| (mean(p), mean_hand(p)),
        TOL,
    );
    moments_case("log_normal.variance").reference(variance, variance_hand);
    moments_case("log_normal.variance").high_precision(
        "variance, hand gradient",
        VARIANCE,
        |p| (variance(p), variance_hand(p)),
        TOL,
    );
}

// ---- generated ----

#[test]
fn generated() {
    let grad = |p: &[f64]| {
        let (d, x) = split(p);
        let (v, (g, dx)) = d.ln_pdf_grad(x).unwrap();
        let mut flat = join(&g);
        flat.push(dx);
        (v, flat)
    };
    let adjoint = |p: &[f64], d_out: f64, acc: &mut [f64]| {
        let (d, x) = split(p);
        let mut g = LogNormal {
            location: acc[0],
            scale: acc[1],
        };
        let v = d.ln_pdf_adjoint(x, d_out, &mut g, &mut acc[2]).unwrap();
        acc[..2].copy_from_slice(&join(&g));
        v
    };
    ln_pdf_case().generated(ln_pdf, ln_pdf_hand, grad, adjoint);
    ln_pdf_case().high_precision("ln_pdf_grad", LN_PDF, grad, TOL);

    let moments: [Method; 2] = [
        ("log_normal.mean", mean, mean_hand, MEAN),
        ("log_normal.variance", variance, variance_hand, VARIANCE),
    ];
    for (i, (name, f, hand, table)) in moments.into_iter().enumerate() {
        let grad = |p: &[f64]| {
            let d = split(p).0;
            let (v, g) = if i == 0 {
                d.mean_grad()
            } else {
                d.variance_grad()
            };
            (v, join(&g))
        };
        let adjoint = |p: &[f64], d_out: f64, acc: &mut [f64]| {
            let d = split(p).0;
            let mut g = LogNormal {
                location: acc[0],
                scale: acc[1],
            };
            let v = if i == 0 {
                d.mean_adjoint(d_out, &mut g)
            } else {
                d.variance_adjoint(d_out, &mut g)
            };
            acc.copy_from_slice(&join(&g));
            v
        };
        moments_case(name).generated(f, hand, grad, adjoint);
        moments_case(name).high_precision("_grad", table, grad, TOL);
    }
}

#[test]
fn generated_outside_the_support() {
    let d = LogNormal::new(0.0, 1.0).unwrap();
    assert_eq!(d.ln_pdf_grad(-2.0), Err(OutsideSupport(-2.0)));
    // The error leaves the accumulators alone.
    let mut g = LogNormal {
        location: 1.0,
        scale: 2.0,
    };
    let mut dx = 3.0;
    assert_eq!(
        d.ln_pdf_adjoint(0.0, 1.0, &mut g, &mut dx),
        Err(OutsideSupport(0.0))
    );
    assert_eq!((g.location, g.scale, dx), (1.0, 2.0, 3.0));
}
