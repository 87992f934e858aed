//! Cauchy distribution generic over its float type, as `rand_distr` writes distributions
//! (`Cauchy<F: Float>`, constants from `FloatConst` and `F::from`): three trait impls, each
//! with its own attribute on the block, `#[grad(self, x)]`, `#[grad(self, p)]` and
//! `#[grad(self)]`; checked in f64 against mpmath and instantiated at f32.

use crate::check::{Case, Reference};
use autodiff::{grad, Const, Float, Params};
use num_traits::FloatConst;

#[derive(Debug, PartialEq)]
pub enum CauchyError {
    LocationInvalid,
    ScaleInvalid,
}

/// Cauchy(x₀, γ): density 1 / (πγ (1 + ((x - x₀)/γ)²)).
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Cauchy<F> {
    location: F,
    scale: F,
}

impl<F: Float> Cauchy<F> {
    pub fn new(location: F, scale: F) -> Result<Cauchy<F>, CauchyError> {
        if !location.is_finite() {
            return Err(CauchyError::LocationInvalid);
        }
        if !(scale > F::zero() && scale.is_finite()) {
            return Err(CauchyError::ScaleInvalid);
        }
        Ok(Cauchy { location, scale })
    }
}

pub trait Continuous<F> {
    fn ln_pdf(&self, x: F) -> F;
    fn cdf(&self, x: F) -> F;
}

pub trait Quantile<F> {
    fn inverse_cdf(&self, p: F) -> F;
}

pub trait Entropy<F> {
    fn entropy(&self) -> F;
}

#[grad(self, x)]
impl<F: Float + FloatConst> Continuous<F> for Cauchy<F> {
    fn ln_pdf(&self, x: F) -> F {
        let z = (x - self.location) / self.scale;
        -(F::PI() * self.scale).ln() - (z * z).ln_1p()
    }

    fn cdf(&self, x: F) -> F {
        let half = F::from(0.5).unwrap();
        half + F::FRAC_1_PI() * ((x - self.location) / self.scale).atan()
    }
}

#[grad(self, p)]
impl<F: Float + FloatConst> Quantile<F> for Cauchy<F> {
    fn inverse_cdf(&self, p: F) -> F {
        let half = F::from(0.5).unwrap();
        self.location + self.scale * (F::PI() * (p - half)).tan()
    }
}

#[grad(self)]
impl<F: Float + FloatConst> Entropy<F> for Cauchy<F> {
    /// ln 4πγ
    fn entropy(&self) -> F {
        (F::from(4.0).unwrap() * F::PI() * self.scale).ln()
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: -1.36787343716360992990972244166,
        gradient: &[0.8, -0.6, -0.8],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: -5.54226070705924704056396921645,
        gradient: &[
            -0.443076923076923076923076923077,
            3.97538461538461538461538461538,
            0.443076923076923076923076923077,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: -4.83360933996333647699588304895,
        gradient: &[0.15, 0.2, -0.15],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: -1.84177570682500280657459681591,
        gradient: &[
            -0.0622568093385214007782101167315,
            -0.496108949416342412451361867704,
            0.0622568093385214007782101167315,
        ],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.5],
        value: 0.647583617650433274175401076225,
        gradient: &[
            -0.254647908947032537230214021396,
            -0.127323954473516268615107010698,
            0.254647908947032537230214021396,
        ],
    },
    Reference {
        at: &[1.5, 0.25, -3.0],
        value: 0.0176657228881346354629450999857,
        gradient: &[
            -0.00391766013764665441892636955994,
            0.0705178824776397795406746520789,
            0.00391766013764665441892636955994,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 10.0],
        value: 0.897583617650433274175401076225,
        gradient: &[
            -0.00795774715459476678844418816863,
            -0.0238732414637843003653325645059,
            0.00795774715459476678844418816863,
        ],
    },
    Reference {
        at: &[0.5, 2.0, 0.375],
        value: 0.480131475694459160940640117142,
        gradient: &[
            -0.15853566315768562629118382655,
            0.00990847894735535164319898915938,
            0.15853566315768562629118382655,
        ],
    },
];
// references.py: CDF (end)

// references.py: INVERSE_CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const INVERSE_CDF: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0, 0.75],
        value: 1.0,
        gradient: &[1.0, 1.0, 6.28318530717958647692528676656],
    },
    Reference {
        at: &[1.5, 0.25, 0.0625],
        value: 0.243165126968537973871256232234,
        gradient: &[
            1.0,
            -5.02733949212584810451497507106,
            20.6356631615249383075424146284,
        ],
    },
    Reference {
        at: &[-2.0, 4.0, 0.96875],
        value: 38.6126815504354418484285906537,
        gradient: &[
            1.0,
            10.1531703876088604621071476634,
            1307.99417093464921206804615654,
        ],
    },
];
// references.py: INVERSE_CDF (end)

// references.py: ENTROPY (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const ENTROPY: &[Reference] = &[
    Reference {
        at: &[0.0, 1.0],
        value: 2.53102424696929079297789159427,
        gradient: &[0.0, 1.0],
    },
    Reference {
        at: &[1.5, 0.25],
        value: 1.14472988584940017414342735135,
        gradient: &[0.0, 4.0],
    },
    Reference {
        at: &[-2.0, 4.0],
        value: 3.91731860808918141181235583719,
        gradient: &[0.0, 0.25],
    },
];
// references.py: ENTROPY (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// A method on the flat inputs, its hand gradient and its references.
type Method = (
    &'static str,
    fn(&[f64]) -> f64,
    fn(&[f64]) -> Vec<f64>,
    &'static [Reference],
);

/// The flat inputs `[location, scale, x]` (or `[.., p]`); the entropy reads the first two.
fn split(p: &[f64]) -> (Cauchy<f64>, f64) {
    (
        Cauchy::new(p[0], p[1]).unwrap(),
        p.get(2).copied().unwrap_or(f64::NAN),
    )
}

fn split32(p: &[f32]) -> (Cauchy<f32>, f32) {
    (
        Cauchy::new(p[0], p[1]).unwrap(),
        p.get(2).copied().unwrap_or(f32::NAN),
    )
}

fn join<F: Float>(g: &Cauchy<F>) -> Vec<F> {
    vec![g.location, g.scale]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// q = 2z/(1 + z²): d/dx₀ = q/γ, d/dγ = (q z - 1)/γ, d/dx = -q/γ
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let s = d.scale;
    let z = (x - d.location) / s;
    let q = 2.0 * z / (1.0 + z * z);
    vec![q / s, (q * z - 1.0) / s, -q / s]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// The density f = 1/(πγ(1 + z²)): d/dx = f, d/dx₀ = -f, d/dγ = -z f
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let z = (x - d.location) / d.scale;
    let f = 1.0 / (f64::PI() * d.scale * (1.0 + z * z));
    vec![-f, -z * f, f]
}

fn inverse_cdf(p: &[f64]) -> f64 {
    let (d, q) = split(p);
    d.inverse_cdf(q)
}

/// x = x₀ + γ tan(π(p - ½)): d/dx₀ = 1, d/dγ = tan, d/dp = πγ (1 + tan²)
fn inverse_cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, q) = split(p);
    let t = (f64::PI() * (q - 0.5)).tan();
    vec![1.0, t, f64::PI() * d.scale * (1.0 + t * t)]
}

fn entropy(p: &[f64]) -> f64 {
    split(p).0.entropy()
}

fn entropy_hand(p: &[f64]) -> Vec<f64> {
    vec![0.0, 1.0 / p[1]]
}

fn case(name: &'static str) -> Case {
    Case::ranges(name, &[(-2.0, 2.0), (0.3, 3.0), (-6.0, 6.0)])
}

fn inverse_cdf_case() -> Case {
    Case::ranges(
        "cauchy.inverse_cdf",
        &[(-2.0, 2.0), (0.3, 3.0), (0.05, 0.95)],
    )
}

fn entropy_case() -> Case {
    Case::ranges("cauchy.entropy", &[(-2.0, 2.0), (0.3, 3.0)])
}

#[test]
fn validation() {
    assert_eq!(Cauchy::new(0.0, 0.0), Err(CauchyError::ScaleInvalid));
    assert_eq!(
        Cauchy::new(f32::NAN, 1.0),
        Err(CauchyError::LocationInvalid)
    );
}

#[test]
fn reference() {
    let methods: [Method; 2] = [
        ("cauchy.ln_pdf", ln_pdf, ln_pdf_hand, LN_PDF),
        ("cauchy.cdf", cdf, cdf_hand, CDF),
    ];
    for (name, f, hand, table) in methods {
        case(name).reference(f, hand);
        case(name).high_precision("value, hand gradient", table, |p| (f(p), hand(p)), TOL);
    }
    inverse_cdf_case().reference(inverse_cdf, inverse_cdf_hand);
    inverse_cdf_case().high_precision(
        "value, hand gradient",
        INVERSE_CDF,
        |p| (inverse_cdf(p), inverse_cdf_hand(p)),
        TOL,
    );
    entropy_case().reference(entropy, entropy_hand);
    entropy_case().high_precision(
        "value, hand gradient",
        ENTROPY,
        |p| (entropy(p), entropy_hand(p)),
        TOL,
    );
}

// ---- generated ----

fn grad_of(
    method: impl Fn(&Cauchy<f64>, f64) -> (f64, (Cauchy<f64>, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        let mut flat = join(&g);
        flat.push(dx);
        (v, flat)
    }
}

fn grad32_of(
    method: impl Fn(&Cauchy<f32>, f32) -> (f32, (Cauchy<f32>, f32)),
) -> impl Fn(&[f32]) -> (f32, Vec<f32>) {
    move |p| {
        let (d, x) = split32(p);
        let (v, (g, dx)) = method(&d, x);
        let mut flat = join(&g);
        flat.push(dx);
        (v, flat)
    }
}

fn adjoint_of(
    method: impl Fn(&Cauchy<f64>, f64, f64, &mut Cauchy<f64>, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Cauchy {
            location: acc[0],
            scale: acc[1],
        };
        let mut dx = acc[2];
        let v = method(&d, x, d_out, &mut g, &mut dx);
        acc.copy_from_slice(&[g.location, g.scale, dx]);
        v
    }
}

#[test]
fn generated() {
    let name = "cauchy.ln_pdf";
    let grad = grad_of(|d, x| d.ln_pdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.ln_pdf_adjoint(x, d_out, g, dx));
    case(name).generated(ln_pdf, ln_pdf_hand, &grad, adjoint);
    case(name).high_precision("ln_pdf_grad", LN_PDF, grad, TOL);
    case(name).generated_f32(ln_pdf_hand, grad32_of(|d, x| d.ln_pdf_grad(x)));

    let name = "cauchy.cdf";
    let grad = grad_of(|d, x| d.cdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx));
    case(name).generated(cdf, cdf_hand, &grad, adjoint);
    case(name).high_precision("cdf_grad", CDF, grad, TOL);
    case(name).generated_f32(cdf_hand, grad32_of(|d, x| d.cdf_grad(x)));

    let grad = grad_of(|d, q| d.inverse_cdf_grad(q));
    let adjoint = adjoint_of(|d, q, d_out, g, dq| d.inverse_cdf_adjoint(q, d_out, g, dq));
    inverse_cdf_case().generated(inverse_cdf, inverse_cdf_hand, &grad, adjoint);
    inverse_cdf_case().high_precision("inverse_cdf_grad", INVERSE_CDF, grad, TOL);
    inverse_cdf_case().generated_f32(inverse_cdf_hand, grad32_of(|d, q| d.inverse_cdf_grad(q)));

    let grad = |p: &[f64]| {
        let (v, g) = split(p).0.entropy_grad();
        (v, join(&g))
    };
    let adjoint = |p: &[f64], d_out: f64, acc: &mut [f64]| {
        let mut g = Cauchy {
            location: acc[0],
            scale: acc[1],
        };
        let v = split(p).0.entropy_adjoint(d_out, &mut g);
        acc.copy_from_slice(&join(&g));
        v
    };
    entropy_case().generated(entropy, entropy_hand, grad, adjoint);
    entropy_case().high_precision("entropy_grad", ENTROPY, grad, TOL);
}

#[test]
fn generated_x_only() {
    case("cauchy.cdf").partially_active(cdf_hand, &[false, false, true], |p, d_out, acc| {
        let (d, x) = split(p);
        d.cdf_adjoint(x, d_out, Const, &mut acc[2])
    });
}
