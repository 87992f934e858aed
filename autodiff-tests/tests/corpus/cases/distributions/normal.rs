//! Normal distribution as a distribution crate writes it: a parameter struct validated by its
//! constructor, a `Continuous` trait implemented with `#[grad(self, x)]` on the impl block,
//! and a CDF through an `erfc` of the file's own (a positive series for small arguments, a
//! continued fraction by Lentz's method for large ones, reflection by a recursive call).

use crate::check::{Case, Reference};
use autodiff::{grad, Const, Params};
use std::f64::consts::{FRAC_2_SQRT_PI, SQRT_2};

/// ½ ln 2π
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// The continued fraction's iteration cap (it needs about 90 terms at its lower end, 1.5).
const MAX_TERMS: usize = 500;

#[derive(Debug, PartialEq)]
pub enum NormalError {
    MeanInvalid,
    StdDevInvalid,
}

/// N(mean, std_dev²)
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Normal {
    mean: f64,
    std_dev: f64,
}

impl Normal {
    /// A finite mean and a positive standard deviation, or an error naming the bad one.
    pub fn new(mean: f64, std_dev: f64) -> Result<Normal, NormalError> {
        if !mean.is_finite() {
            return Err(NormalError::MeanInvalid);
        }
        if std_dev.is_nan() || std_dev <= 0.0 || std_dev.is_infinite() {
            return Err(NormalError::StdDevInvalid);
        }
        Ok(Normal { mean, std_dev })
    }
}

pub trait Continuous {
    /// The log-density at `x`.
    fn ln_pdf(&self, x: f64) -> f64;
    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> f64;
}

/// The complementary error function, to about 1e-15 relative or better, tails included.
///
/// - |x| < 1.5: erf x = (2/√π) e^{-x²} Σₙ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), whose terms are all
///   of the sign of x, so the sum does not cancel; erfc = 1 - erf loses at most 1.5 digits.
/// - x ≥ 1.5: erfc x = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
/// - x ≤ -1.5: erfc x = 2 - erfc(-x).
#[grad]
pub fn erfc(x: f64) -> f64 {
    if x <= -1.5 {
        return 2.0 - erfc(-x);
    }
    if x < 1.5 {
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term.abs() > sum.abs() * f64::EPSILON {
            n += 1.0;
            term *= 2.0 * x * x / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - FRAC_2_SQRT_PI * (-x * x).exp() * sum;
    }
    // Modified Lentz: f = b₀ + a₁/(b₁ + a₂/(b₂ + …)) with b = x, a_k = k/2; every partial
    // denominator is positive here, so no guard against zero is needed.
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..MAX_TERMS {
        let a = k as f64 / 2.0;
        d = 1.0 / (x + a * d);
        c = x + a / c;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < f64::EPSILON {
            break;
        }
    }
    0.5 * FRAC_2_SQRT_PI * (-x * x).exp() / f
}

#[grad(self, x)]
impl Continuous for Normal {
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.std_dev;
        -0.5 * z * z - self.std_dev.ln() - LN_SQRT_2PI
    }

    fn cdf(&self, x: f64) -> f64 {
        0.5 * erfc(-(x - self.mean) / (self.std_dev * SQRT_2))
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: -1.04393853320467274178032973641,
        gradient: &[0.5, -0.75, -0.5],
    },
    Reference {
        at: &[1.5, 0.75, -0.25],
        value: -3.35347868297511403656333295263,
        gradient: &[
            -3.11111111111111111111111111111,
            5.92592592592592592592592592593,
            3.11111111111111111111111111111,
        ],
    },
    Reference {
        at: &[-2.0, 3.5, 4.0],
        value: -3.64108925680208155379498097064,
        gradient: &[
            0.489795918367346938775510204082,
            0.553935860058309037900874635569,
            -0.489795918367346938775510204082,
        ],
    },
    Reference {
        at: &[0.25, 0.5, -1.75],
        value: -8.22579135264472743236309761495,
        gradient: &[-8.0, 30.0, 8.0],
    },
    Reference {
        at: &[0.0, 1.0, 3.0],
        value: -5.41893853320467274178032973641,
        gradient: &[3.0, 8.0, -3.0],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: 0.691462461274013103637704610608,
        gradient: &[
            -0.352065326764299477774680441597,
            -0.176032663382149738887340220798,
            0.352065326764299477774680441597,
        ],
    },
    Reference {
        at: &[1.5, 0.75, -0.25],
        value: 0.00981532862864534108135773106723,
        gradient: &[
            -0.0349625187916126611803150657111,
            0.0815792105137628760874018199927,
            0.0349625187916126611803150657111,
        ],
    },
    Reference {
        at: &[-2.0, 3.5, 4.0],
        value: 0.956761867253167182758705556292,
        gradient: &[
            -0.0262237639897451512681890123755,
            -0.0449550239824202593168954497865,
            0.0262237639897451512681890123755,
        ],
    },
    Reference {
        at: &[0.25, 0.5, -1.75],
        value: 3.16712418331199212537707567222e-5,
        gradient: &[
            -2.67660451529770703548148976881e-4,
            0.00107064180611908281419259590753,
            2.67660451529770703548148976881e-4,
        ],
    },
    Reference {
        at: &[0.0, 1.0, 3.0],
        value: 0.998650101968369905473348185232,
        gradient: &[
            -0.00443184841193800717560235269612,
            -0.0132955452358140215268070580884,
            0.00443184841193800717560235269612,
        ],
    },
];
// references.py: CDF (end)

/// Closed forms: f64 rounding of a handful of operations (measured: 3e-16).
const CLOSED_FORM_TOL: f64 = 1e-12;
/// The CDF through `erfc`, whose series and continued fraction stop at f64::EPSILON and whose
/// `1 - erf` loses up to 1.5 digits: measured errors up to 2.4e-15 in the value, 2.8e-15 in
/// the generated gradient (the derivative of the approximation, not of erfc).
const ERFC_TOL: f64 = 1e-12;

/// The flat inputs `[mean, std_dev, x]`.
fn split(p: &[f64]) -> (Normal, f64) {
    (Normal::new(p[0], p[1]).unwrap(), p[2])
}

/// A gradient as flat entries, in the order of the inputs.
fn join(g: &Normal, dx: f64) -> Vec<f64> {
    vec![g.mean, g.std_dev, dx]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// d/dμ = z/σ, d/dσ = (z² - 1)/σ, d/dx = -z/σ
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let z = (x - d.mean) / d.std_dev;
    vec![z / d.std_dev, (z * z - 1.0) / d.std_dev, -z / d.std_dev]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// The density φ(z)/σ: d/dx = φ/σ, d/dμ = -φ/σ, d/dσ = -z φ/σ
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let z = (x - d.mean) / d.std_dev;
    let density = (-0.5 * z * z - LN_SQRT_2PI).exp() / d.std_dev;
    vec![-density, -z * density, density]
}

fn ln_pdf_case() -> Case {
    Case::ranges("normal.ln_pdf", &[(-2.0, 2.0), (0.3, 3.0), (-5.0, 5.0)])
}

fn cdf_case() -> Case {
    Case::ranges("normal.cdf", &[(-2.0, 2.0), (0.3, 3.0), (-6.0, 6.0)])
}

#[test]
fn validation() {
    assert_eq!(Normal::new(0.0, 0.0), Err(NormalError::StdDevInvalid));
    assert_eq!(Normal::new(f64::NAN, 1.0), Err(NormalError::MeanInvalid));
    assert!(Normal::new(-1.0, 2.0).is_ok());
}

#[test]
fn reference() {
    ln_pdf_case().reference(ln_pdf, ln_pdf_hand);
    ln_pdf_case().high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        CLOSED_FORM_TOL,
    );
    cdf_case().reference(cdf, cdf_hand);
    cdf_case().high_precision(
        "cdf, hand gradient",
        CDF,
        |p| (cdf(p), cdf_hand(p)),
        ERFC_TOL,
    );
}

// ---- generated ----

/// `method(d, x)` = `d.NAME_grad(x)` seen on the flat inputs.
fn grad_of(
    method: impl Fn(&Normal, f64) -> (f64, (Normal, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        (v, join(&g, dx))
    }
}

/// `method(d, x, d_out, g, dx)` = `d.NAME_adjoint(x, d_out, g, dx)` accumulating into flat
/// entries.
fn adjoint_of(
    method: impl Fn(&Normal, f64, f64, &mut Normal, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Normal {
            mean: acc[0],
            std_dev: acc[1],
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
    ln_pdf_case().generated(
        ln_pdf,
        ln_pdf_hand,
        &grad,
        adjoint_of(|d, x, d_out, g, dx| d.ln_pdf_adjoint(x, d_out, g, dx)),
    );
    ln_pdf_case().high_precision("ln_pdf_grad", LN_PDF, grad, CLOSED_FORM_TOL);

    let grad = grad_of(|d, x| d.cdf_grad(x));
    cdf_case().generated(
        cdf,
        cdf_hand,
        &grad,
        adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx)),
    );
    cdf_case().high_precision("cdf_grad", CDF, grad, ERFC_TOL);
}

#[test]
fn generated_x_only() {
    // The parameters as data: `Const` for `self`.
    cdf_case().partially_active(cdf_hand, &[false, false, true], |p, d_out, acc| {
        let (d, x) = split(p);
        d.cdf_adjoint(x, d_out, Const, &mut acc[2])
    });
}
