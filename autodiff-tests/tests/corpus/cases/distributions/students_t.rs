//! Student's t distribution (location, scale, degrees of freedom), differentiated in all three:
//! `ln_pdf` calls a `#[grad]` Lanczos `ln_gamma` twice on expressions of the freedom (its
//! reflection branch, a recursive early return, is taken for ν < 1), and falls back to the
//! normal density for infinite freedom. The moments return `Option`, as statistics crates
//! return them (none for ν ≤ 1, resp. ν ≤ 2).

use crate::check::{Case, Reference};
use autodiff::{grad, Params};
use std::f64::consts::PI;

/// ½ ln 2π
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

#[derive(Debug, PartialEq)]
/// Which parameter is invalid.
pub enum StudentsTError {
    Location,
    Scale,
    Freedom,
}

/// t_ν(location, scale): the density of location + scale · T, T a standard Student's t.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct StudentsT {
    location: f64,
    scale: f64,
    freedom: f64,
}

impl StudentsT {
    /// Infinite freedom is allowed: the normal distribution.
    pub fn new(location: f64, scale: f64, freedom: f64) -> Result<StudentsT, StudentsTError> {
        if !location.is_finite() {
            Err(StudentsTError::Location)
        } else if !(scale > 0.0 && scale.is_finite()) {
            Err(StudentsTError::Scale)
        } else if freedom.is_nan() || freedom <= 0.0 {
            Err(StudentsTError::Freedom)
        } else {
            Ok(StudentsT {
                location,
                scale,
                freedom,
            })
        }
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
}

pub trait Moments {
    fn mean(&self) -> Option<f64>;
    fn variance(&self) -> Option<f64>;
}

/// ln Γ(x) for x > 0 by Lanczos' approximation (g = 7, nine terms), with the reflection
/// Γ(x) Γ(1 - x) = π / sin πx below ½.
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        return PI.ln() - (PI * x).sin().ln() - ln_gamma(1.0 - x);
    }
    let z = x - 1.0;
    let series = LANCZOS[0]
        + LANCZOS[1..]
            .iter()
            .enumerate()
            .map(|(k, &c)| c / (z + k as f64 + 1.0))
            .sum::<f64>();
    let t = z + LANCZOS_G + 0.5;
    LN_SQRT_2PI + (z + 0.5) * t.ln() - t + series.ln()
}

#[grad(self, x)]
impl Continuous for StudentsT {
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if self.freedom.is_infinite() {
            return -0.5 * z * z - LN_SQRT_2PI - self.scale.ln();
        }
        let nu = self.freedom;
        ln_gamma((nu + 1.0) / 2.0)
            - ln_gamma(nu / 2.0)
            - 0.5 * (nu * PI).ln()
            - self.scale.ln()
            - (nu + 1.0) / 2.0 * (z * z / nu).ln_1p()
    }
}

// `#[grad(self)]` on the block alone would differentiate none of these: a block's default
// leaves out methods returning `Option` (reported); each method names its own.
#[grad]
impl Moments for StudentsT {
    #[grad(self)]
    fn mean(&self) -> Option<f64> {
        if self.freedom > 1.0 {
            Some(self.location)
        } else {
            None
        }
    }

    /// ν σ² / (ν - 2) for ν > 2, infinite for 1 < ν ≤ 2.
    #[grad(self)]
    fn variance(&self) -> Option<f64> {
        if self.freedom > 2.0 {
            Some(self.scale * self.scale * self.freedom / (self.freedom - 2.0))
        } else if self.freedom > 1.0 {
            Some(f64::INFINITY)
        } else {
            None
        }
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 3.0, 0.5],
        value: -1.16097426497058256207137377181,
        gradient: &[
            0.615384615384615384615384615385,
            -0.692307692307692307692307692308,
            0.0377412113385617118899585252103,
            -0.615384615384615384615384615385,
        ],
    },
    Reference {
        at: &[1.5, 2.0, 0.75, -4.0],
        value: -4.00364853093360234469614666306,
        gradient: &[
            -0.289473684210526315789473684211,
            0.296052631578947368421052631579,
            0.167006591687108527172301828888,
            0.289473684210526315789473684211,
        ],
    },
    Reference {
        at: &[-0.5, 0.5, 30.0, 0.25],
        value: -1.35509339930310521111757573515,
        gradient: &[
            2.88372093023255813953488372093,
            2.3255813953488372093023255814,
            1.63804636213115191971854742937e-4,
            -2.88372093023255813953488372093,
        ],
    },
    Reference {
        at: &[0.0, 1.0, 1.0, 2.5],
        value: -3.1257313547159835824922351408,
        gradient: &[
            0.689655172413793103448275862069,
            0.724137931034482758620689655172,
            0.0647154116438949845531730543216,
            -0.689655172413793103448275862069,
        ],
    },
    Reference {
        at: &[2.0, 3.0, 7.5, 1.0],
        value: -2.11328851941319346956639032814,
        gradient: &[
            -0.124087591240875912408759124088,
            -0.291970802919708029197080291971,
            0.00532568079555591090678394984228,
            0.124087591240875912408759124088,
        ],
    },
];
// references.py: LN_PDF (end)

// references.py: VARIANCE (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const VARIANCE: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 3.0],
        value: 3.0,
        gradient: &[0.0, 6.0, -2.0],
    },
    Reference {
        at: &[1.5, 2.0, 2.5],
        value: 20.0,
        gradient: &[0.0, 20.0, -32.0],
    },
    Reference {
        at: &[-0.5, 0.5, 30.0],
        value: 0.267857142857142857142857142857,
        gradient: &[
            0.0,
            1.07142857142857142857142857143,
            -6.37755102040816326530612244898e-4,
        ],
    },
];
// references.py: VARIANCE (end)

/// ln Γ by Lanczos (its derivative standing for ψ in the generated gradient, ψ's asymptotic
/// series in the hand one), and d/dν is a small difference of terms a hundred times larger
/// (½ψ((ν+1)/2) - ½ψ(ν/2) - 1/2ν - …, 1.6e-4 at ν = 30): measured errors up to 1.4e-12.
const LN_PDF_TOL: f64 = 1e-11;
/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// ψ(x) for x > 0, for the hand gradient: ψ(x) = ψ(x + 1) - 1/x up to x ≥ 10, then
/// ln x - 1/(2x) - Σₖ B₂ₖ / (2k x^{2k}).
fn digamma(x: f64) -> f64 {
    const B2K_OVER_2K: [f64; 7] = [
        1.0 / 12.0,
        -1.0 / 120.0,
        1.0 / 252.0,
        -1.0 / 240.0,
        1.0 / 132.0,
        -691.0 / 32_760.0,
        1.0 / 12.0,
    ];
    let (mut x, mut shift) = (x, 0.0);
    while x < 10.0 {
        shift += 1.0 / x;
        x += 1.0;
    }
    let inv2 = 1.0 / (x * x);
    let mut power = 1.0;
    let mut series = 0.0;
    for c in B2K_OVER_2K {
        power *= inv2;
        series += c * power;
    }
    x.ln() - 0.5 / x - series - shift
}

/// The flat inputs `[location, scale, freedom, x]`; the moments read the first three.
fn split(p: &[f64]) -> (StudentsT, f64) {
    let d = StudentsT::new(p[0], p[1], p[2]).unwrap();
    (d, p.get(3).copied().unwrap_or(f64::NAN))
}

fn join(g: &StudentsT) -> Vec<f64> {
    vec![g.location, g.scale, g.freedom]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// z = (x - μ)/s, w = (ν + 1) z / (s (ν + z²)): d/dμ = w, d/dx = -w, d/ds = -1/s + w z,
/// d/dν = ½ ψ((ν+1)/2) - ½ ψ(ν/2) - 1/(2ν) - ½ ln(1 + z²/ν) + (ν+1) z² / (2ν (ν + z²))
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let (s, nu) = (d.scale, d.freedom);
    let z = (x - d.location) / s;
    let w = (nu + 1.0) * z / (s * (nu + z * z));
    let d_nu = 0.5 * digamma((nu + 1.0) / 2.0)
        - 0.5 * digamma(nu / 2.0)
        - 0.5 / nu
        - 0.5 * (z * z / nu).ln_1p()
        + (nu + 1.0) * z * z / (2.0 * nu * (nu + z * z));
    vec![w, -1.0 / s + w * z, d_nu, -w]
}

fn variance(p: &[f64]) -> f64 {
    split(p).0.variance().unwrap()
}

/// v = s² ν/(ν - 2): d/ds = 2v/s, d/dν = -2 s²/(ν - 2)²
fn variance_hand(p: &[f64]) -> Vec<f64> {
    let (s, nu) = (p[1], p[2]);
    vec![
        0.0,
        2.0 * variance(p) / s,
        -2.0 * s * s / ((nu - 2.0) * (nu - 2.0)),
    ]
}

fn ln_pdf_case() -> Case {
    // ν from 0.6 (the reflection branch for ν/2) to 40
    Case::ranges(
        "students_t.ln_pdf",
        &[(-1.0, 1.0), (0.3, 3.0), (0.6, 40.0), (-6.0, 6.0)],
    )
}

fn variance_case() -> Case {
    Case::ranges(
        "students_t.variance",
        &[(-1.0, 1.0), (0.3, 3.0), (2.2, 40.0)],
    )
}

#[test]
fn validation() {
    assert_eq!(StudentsT::new(0.0, 1.0, 0.0), Err(StudentsTError::Freedom));
    assert_eq!(StudentsT::new(0.0, -1.0, 1.0), Err(StudentsTError::Scale));
    let cauchy = StudentsT::new(0.0, 1.0, 1.0).unwrap();
    assert_eq!((cauchy.mean(), cauchy.variance()), (None, None));
    let normal = StudentsT::new(0.5, 2.0, f64::INFINITY).unwrap();
    let z: f64 = (1.5 - 0.5) / 2.0;
    let want = -0.5 * z * z - LN_SQRT_2PI - 2f64.ln();
    assert!((normal.ln_pdf(1.5) - want).abs() < 1e-15);
}

#[test]
fn reference() {
    ln_pdf_case().reference(ln_pdf, ln_pdf_hand);
    ln_pdf_case().high_precision(
        "ln_pdf, hand gradient",
        LN_PDF,
        |p| (ln_pdf(p), ln_pdf_hand(p)),
        LN_PDF_TOL,
    );
    variance_case().reference(variance, variance_hand);
    variance_case().high_precision(
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
        let (v, (g, dx)) = d.ln_pdf_grad(x);
        let mut flat = join(&g);
        flat.push(dx);
        (v, flat)
    };
    let adjoint = |p: &[f64], d_out: f64, acc: &mut [f64]| {
        let (d, x) = split(p);
        let mut g = StudentsT {
            location: acc[0],
            scale: acc[1],
            freedom: acc[2],
        };
        let v = d.ln_pdf_adjoint(x, d_out, &mut g, &mut acc[3]);
        acc[..3].copy_from_slice(&join(&g));
        v
    };
    ln_pdf_case().generated(ln_pdf, ln_pdf_hand, grad, adjoint);
    ln_pdf_case().high_precision("ln_pdf_grad", LN_PDF, grad, LN_PDF_TOL);

    let grad = |p: &[f64]| {
        let (v, g) = split(p).0.variance_grad().unwrap();
        (v, join(&g))
    };
    let adjoint = |p: &[f64], d_out: f64, acc: &mut [f64]| {
        let mut g = StudentsT {
            location: acc[0],
            scale: acc[1],
            freedom: acc[2],
        };
        let v = split(p).0.variance_adjoint(d_out, &mut g).unwrap();
        acc.copy_from_slice(&join(&g));
        v
    };
    variance_case().generated(variance, variance_hand, grad, adjoint);
    variance_case().high_precision("variance_grad", VARIANCE, grad, TOL);
}

#[test]
fn generated_moments() {
    let d = StudentsT::new(1.5, 2.0, 3.0).unwrap();
    let (mean, g) = d.mean_grad().unwrap();
    assert_eq!(
        (mean, g),
        (
            1.5,
            StudentsT {
                location: 1.0,
                scale: 0.0,
                freedom: 0.0
            }
        )
    );
    let cauchy = StudentsT::new(0.0, 1.0, 1.0).unwrap();
    assert_eq!((cauchy.mean_grad(), cauchy.variance_grad()), (None, None));
    // Infinite freedom: the normal density, nothing flows to the freedom.
    let normal = StudentsT::new(0.5, 2.0, f64::INFINITY).unwrap();
    let (_, (g, dx)) = normal.ln_pdf_grad(1.5);
    assert_eq!(
        (g.location, g.scale, g.freedom, dx),
        (0.25, -0.375, 0.0, -0.25)
    );
}
