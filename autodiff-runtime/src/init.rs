//! Weight initialisation: seeded, reproducible random parameters.
//!
//! An [`Init`] is a seeded random generator with one method per initialiser. Each method fills
//! one field of a model in place: a scalar, `[T; N]`, `[[T; M]; N]` (row-major), `Vec<T>` or a
//! plain `[T]` (see [`Field`]), in `f32`, `f64` or any [`Float`]. The fan-in and fan-out of
//! the scaled initialisers are given by the caller: for a layer `z = W x + b` with `n_in`
//! inputs and `n_out` outputs, `fan_in = n_in` and `fan_out = n_out`, whichever way `W` is
//! stored. Or they are read from the weight's shape ([`fans`]) by the `..FromShape` schemes.
//!
//! | method | draws from |
//! |---|---|
//! | [`uniform(x, a)`](Init::uniform) | U(-a, a) |
//! | [`normal(x, std)`](Init::normal) | N(0, std²) |
//! | [`glorot_uniform(x, fan_in, fan_out)`](Init::glorot_uniform) | U(-a, a), a = √(6/(in + out)) |
//! | [`glorot_normal(x, fan_in, fan_out)`](Init::glorot_normal) | N(0, 2 / (in + out)) |
//! | [`he_uniform(x, fan_in)`](Init::he_uniform) | U(-a, a), a = √(6 / fan_in) |
//! | [`he_normal(x, fan_in)`](Init::he_normal) | N(0, 2 / fan_in) |
//! | [`zeros(x)`](Init::zeros) | 0 (biases) |
//!
//! Glorot (Xavier) keeps the variance of activations and gradients about constant through
//! layers with a symmetric activation (tanh, sigmoid, a linear output); He (Kaiming) doubles
//! it for ReLU layers, since ReLU zeroes half of its inputs.
//!
//! Methods return `&mut Init`, so the calls for a model's fields chain. A whole model, nested
//! models included, can also be initialised through the [`Params`] walk: [`Init::params`]
//! with a [`Scheme`] per slice name (`w1`, `layer1.w`), or [`Init::model`] with Glorot weights
//! and zero biases.
//!
//! The same seed and the same sequence of calls give the same parameters, on every platform
//! and with every version of the dependencies: the generator is ChaCha8 and every derivation
//! from its output is fixed by this crate (a uniform draw is 53 random bits scaled to [0, 1),
//! a normal one is Box-Muller).
//!
//! ```
//! use autodiff_runtime::init::Init;
//!
//! const D: usize = 4;
//! const H: usize = 8;
//!
//! // 4 inputs -> 8 ReLU units -> 1 sigmoid output
//! #[derive(Clone, Debug, Default, PartialEq)]
//! struct Net {
//!     w1: [[f64; D]; H],
//!     b1: [f64; H],
//!     w2: [f64; H],
//!     b2: f64,
//! }
//!
//! let mut net = Net::default();
//! Init::new(7)
//!     .he_uniform(&mut net.w1, D)
//!     .zeros(&mut net.b1)
//!     .glorot_uniform(&mut net.w2, H, 1)
//!     .zeros(&mut net.b2);
//!
//! let limit = (6.0 / D as f64).sqrt();
//! assert!(net.w1.iter().flatten().all(|w| w.abs() <= limit));
//! assert!(net.w1[0] != net.w1[1]);
//! assert_eq!(net.b1, [0.0; H]);
//!
//! // the same seed gives the same network
//! let mut again = Net::default();
//! Init::new(7)
//!     .he_uniform(&mut again.w1, D)
//!     .zeros(&mut again.b1)
//!     .glorot_uniform(&mut again.w2, H, 1)
//!     .zeros(&mut again.b2);
//! assert_eq!(net, again);
//! ```

use num_traits::{Float, NumCast};

use crate::optim::{Name, Params};
use crate::rng::Rng;

/// A model field that [`Init`]'s methods fill: a scalar `T`, `[T; N]`, `[[T; M]; N]`
/// (row-major), `Vec<T>`, or a plain `[T]` (`init.uniform(&mut v[..10], 0.1)`).
pub trait Field<T> {
    /// The dimensions, outermost first (`[N, M]` for `[[T; M]; N]`, `[]` for a scalar): where
    /// the `..FromShape` schemes read their fans.
    fn shape(&self) -> Vec<usize>;
    /// The values, row-major.
    fn values_mut(&mut self) -> &mut [T];
}

impl<T: Float> Field<T> for T {
    fn shape(&self) -> Vec<usize> {
        Vec::new()
    }

    fn values_mut(&mut self) -> &mut [T] {
        std::slice::from_mut(self)
    }
}

impl<T: Float, const N: usize> Field<T> for [T; N] {
    fn shape(&self) -> Vec<usize> {
        vec![N]
    }

    fn values_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Float, const M: usize, const N: usize> Field<T> for [[T; M]; N] {
    fn shape(&self) -> Vec<usize> {
        vec![N, M]
    }

    fn values_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
}

impl<T: Float> Field<T> for Vec<T> {
    fn shape(&self) -> Vec<usize> {
        vec![self.len()]
    }

    fn values_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Float> Field<T> for [T] {
    fn shape(&self) -> Vec<usize> {
        vec![self.len()]
    }

    fn values_mut(&mut self) -> &mut [T] {
        self
    }
}

/// The fan-in and fan-out of a weight of shape `[outputs, inputs, k..]`: `inputs · Πk` and
/// `outputs · Πk`; `None` below 2 dimensions (a bias, a scalar).
///
/// This is PyTorch's convention (`nn.Linear` stores `weight[out][in]`; a convolution's kernel
/// dimensions `k` follow), and the lecture's layout `w[j][k]`, unit `j` reading input `k`: a
/// `[[f64; 30]; 16]` layer has 30 inputs and 16 outputs. A weight stored input-major
/// (`w[k][j]`, as scikit-learn's `coefs_`) has its fans the other way round: give them
/// explicitly to the He schemes (Glorot's are symmetric in the two).
///
/// ```
/// use autodiff_runtime::init::fans;
///
/// assert_eq!(fans(&[16, 30]), Some((30, 16)));
/// assert_eq!(fans(&[8, 3, 5, 5]), Some((75, 200)));
/// assert_eq!(fans(&[16]), None);
/// ```
pub fn fans(shape: &[usize]) -> Option<(usize, usize)> {
    match shape {
        [outputs, inputs, kernel @ ..] => {
            let receptive: usize = kernel.iter().product();
            Some((inputs * receptive, outputs * receptive))
        }
        _ => None,
    }
}

/// How to initialise one parameter slice: the argument of [`Init::apply`] and of the closure
/// of [`Init::params`]. Each variant is one of [`Init`]'s methods.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scheme {
    /// Every element 0 (biases).
    Zeros,
    /// U(-limit, limit).
    Uniform {
        /// The bound, > 0.
        limit: f64,
    },
    /// N(0, std²).
    Normal {
        /// The standard deviation, > 0.
        std: f64,
    },
    /// Glorot (Xavier) uniform: U(-a, a) with a = √(6 / (fan_in + fan_out)).
    GlorotUniform {
        /// Inputs of the layer.
        fan_in: usize,
        /// Outputs of the layer.
        fan_out: usize,
    },
    /// Glorot (Xavier) normal: N(0, 2 / (fan_in + fan_out)).
    GlorotNormal {
        /// Inputs of the layer.
        fan_in: usize,
        /// Outputs of the layer.
        fan_out: usize,
    },
    /// He (Kaiming) uniform, for ReLU layers: U(-a, a) with a = √(6 / fan_in).
    HeUniform {
        /// Inputs of the layer.
        fan_in: usize,
    },
    /// He (Kaiming) normal, for ReLU layers: N(0, 2 / fan_in).
    HeNormal {
        /// Inputs of the layer.
        fan_in: usize,
    },
    /// [`GlorotUniform`](Scheme::GlorotUniform) with the fans of the slice's shape ([`fans`]).
    GlorotUniformFromShape,
    /// [`GlorotNormal`](Scheme::GlorotNormal) with the fans of the slice's shape ([`fans`]).
    GlorotNormalFromShape,
    /// [`HeUniform`](Scheme::HeUniform) with the fan-in of the slice's shape ([`fans`]).
    HeUniformFromShape,
    /// [`HeNormal`](Scheme::HeNormal) with the fan-in of the slice's shape ([`fans`]).
    HeNormalFromShape,
}

/// The shape of a scheme once its scale is known.
enum Draw {
    Zeros,
    Uniform(f64),
    Normal(f64),
}

impl Scheme {
    /// The distribution to draw from for a slice of shape `shape`, or what is wrong with the
    /// setting.
    fn draw(self, shape: &[usize]) -> Result<Draw, String> {
        let from_shape = || {
            fans(shape).ok_or_else(|| {
                format!("{self:?} on a slice of shape {shape:?}: fans need 2 dimensions or more")
            })
        };
        // the denominators of Glorot's and He's variances
        let glorot =
            |(fan_in, fan_out)| Ok::<_, String>(fan("fan_in", fan_in)? + fan("fan_out", fan_out)?);
        let he = |fan_in| fan("fan_in", fan_in);
        Ok(match self {
            Scheme::Zeros => Draw::Zeros,
            Scheme::Uniform { limit } => Draw::Uniform(positive("limit", limit)?),
            Scheme::Normal { std } => Draw::Normal(positive("std", std)?),
            Scheme::GlorotUniform { fan_in, fan_out } => {
                Draw::Uniform((6.0 / glorot((fan_in, fan_out))?).sqrt())
            }
            Scheme::GlorotNormal { fan_in, fan_out } => {
                Draw::Normal((2.0 / glorot((fan_in, fan_out))?).sqrt())
            }
            Scheme::HeUniform { fan_in } => Draw::Uniform((6.0 / he(fan_in)?).sqrt()),
            Scheme::HeNormal { fan_in } => Draw::Normal((2.0 / he(fan_in)?).sqrt()),
            Scheme::GlorotUniformFromShape => Draw::Uniform((6.0 / glorot(from_shape()?)?).sqrt()),
            Scheme::GlorotNormalFromShape => Draw::Normal((2.0 / glorot(from_shape()?)?).sqrt()),
            Scheme::HeUniformFromShape => Draw::Uniform((6.0 / he(from_shape()?.0)?).sqrt()),
            Scheme::HeNormalFromShape => Draw::Normal((2.0 / he(from_shape()?.0)?).sqrt()),
        })
    }
}

/// A fan-in or fan-out, checked to be at least 1.
fn fan(name: &str, value: usize) -> Result<f64, String> {
    match value {
        0 => Err(format!("{name} 0; expected at least 1")),
        _ => Ok(value as f64),
    }
}

/// A limit or standard deviation, checked to be a finite number > 0.
fn positive(name: &str, value: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!("{name} {value}; expected a finite number > 0"))
    }
}

#[cold]
#[track_caller]
fn bad_setting(what: &str) -> ! {
    panic!("autodiff: cannot initialise parameters with {what}")
}

/// A seeded generator of initial parameters; see the [module docs](self).
///
/// Every method fills its argument in place and returns `&mut Init` for chaining.
///
/// # Panics
///
/// The methods panic on a fan-in or fan-out of 0, or a `limit` or `std` that is not a finite
/// number > 0 (constants of the program, not data).
#[derive(Clone, Debug)]
pub struct Init {
    rng: Rng,
}

impl Init {
    /// A generator seeded with `seed`: the same seed, the same parameters.
    pub fn new(seed: u64) -> Self {
        Init {
            rng: Rng::seeded(seed),
        }
    }

    /// Fills `x` from U(-limit, limit).
    ///
    /// ```
    /// use autodiff_runtime::init::Init;
    ///
    /// let mut v = vec![0.0f32; 1000];
    /// Init::new(1).uniform(&mut v, 0.5);
    /// assert!(v.iter().all(|x| x.abs() <= 0.5));
    /// assert!(v.iter().any(|&x| x > 0.4) && v.iter().any(|&x| x < -0.4));
    /// ```
    #[track_caller]
    pub fn uniform<T: Float, S>(&mut self, x: &mut S, limit: f64) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::Uniform { limit })
    }

    /// Fills `x` from N(0, std²) (Box-Muller).
    ///
    /// ```
    /// use autodiff_runtime::init::Init;
    ///
    /// let mut w = [[0.0; 100]; 100];
    /// Init::new(1).normal(&mut w, 2.0);
    /// let mean = w.iter().flatten().sum::<f64>() / 1e4;
    /// assert!(mean.abs() < 0.1);
    /// ```
    #[track_caller]
    pub fn normal<T: Float, S>(&mut self, x: &mut S, std: f64) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::Normal { std })
    }

    /// Glorot (Xavier) uniform: fills `x` from U(-a, a), a = √(6 / (fan_in + fan_out)), for
    /// the weights of a layer with `fan_in` inputs and `fan_out` outputs.
    ///
    /// ```
    /// use autodiff_runtime::init::Init;
    ///
    /// // a 64 -> 10 output layer
    /// let mut w2 = [[0.0f64; 10]; 64];
    /// Init::new(3).glorot_uniform(&mut w2, 64, 10);
    /// let a = (6.0f64 / 74.0).sqrt();
    /// assert!(w2.iter().flatten().all(|w| w.abs() <= a));
    /// ```
    #[track_caller]
    pub fn glorot_uniform<T: Float, S>(
        &mut self,
        x: &mut S,
        fan_in: usize,
        fan_out: usize,
    ) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::GlorotUniform { fan_in, fan_out })
    }

    /// Glorot (Xavier) normal: fills `x` from N(0, 2 / (fan_in + fan_out)).
    #[track_caller]
    pub fn glorot_normal<T: Float, S>(
        &mut self,
        x: &mut S,
        fan_in: usize,
        fan_out: usize,
    ) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::GlorotNormal { fan_in, fan_out })
    }

    /// He (Kaiming) uniform, for the weights of a ReLU layer with `fan_in` inputs: fills `x`
    /// from U(-a, a), a = √(6 / fan_in).
    ///
    /// ```
    /// use autodiff_runtime::init::Init;
    ///
    /// let mut w1 = [[0.0f64; 64]; 64];
    /// Init::new(3).he_uniform(&mut w1, 64);
    /// assert!(w1.iter().flatten().all(|w| w.abs() <= (6.0f64 / 64.0).sqrt()));
    /// ```
    #[track_caller]
    pub fn he_uniform<T: Float, S>(&mut self, x: &mut S, fan_in: usize) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::HeUniform { fan_in })
    }

    /// He (Kaiming) normal, for the weights of a ReLU layer with `fan_in` inputs: fills `x`
    /// from N(0, 2 / fan_in).
    #[track_caller]
    pub fn he_normal<T: Float, S>(&mut self, x: &mut S, fan_in: usize) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        self.apply(x, Scheme::HeNormal { fan_in })
    }

    /// Sets every element of `x` to 0 (draws nothing).
    pub fn zeros<T: Float, S>(&mut self, x: &mut S) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        x.values_mut().fill(T::zero());
        self
    }

    /// Fills `x` as `scheme` says: the method behind all the others.
    ///
    /// ```
    /// use autodiff_runtime::init::{Init, Scheme};
    ///
    /// // a layer of 30 inputs and 16 outputs, stored [outputs][inputs]
    /// let mut w = [[0.0f64; 30]; 16];
    /// Init::new(5).apply(&mut w, Scheme::HeUniformFromShape);
    /// assert!(w.iter().flatten().all(|x| x.abs() <= (6.0f64 / 30.0).sqrt()));
    /// ```
    #[track_caller]
    pub fn apply<T: Float, S>(&mut self, x: &mut S, scheme: Scheme) -> &mut Self
    where
        S: Field<T> + ?Sized,
    {
        match scheme.draw(&x.shape()) {
            Ok(draw) => self.fill(x.values_mut(), draw),
            Err(setting) => bad_setting(&setting),
        }
        self
    }

    /// Initialises every parameter slice of `model`, nested models included, with the scheme
    /// `scheme(name)` returns for its name, in walk order.
    ///
    /// The closure can match the whole path (`name == "layer1.w"`) or the last field
    /// ([`Name::last_field`]: `"w"` for `layer1.w` and `layers[2].w` alike).
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::init::{Init, Scheme};
    ///
    /// #[derive(Clone, autodiff::Params)]
    /// struct Dense<const IN: usize, const OUT: usize> {
    ///     w: [[f64; IN]; OUT],
    ///     b: [f64; OUT],
    /// }
    ///
    /// #[derive(Clone, autodiff::Params)]
    /// struct Mlp {
    ///     hidden: Dense<8, 16>,
    ///     out: Dense<16, 3>,
    /// }
    ///
    /// let mut mlp = Mlp {
    ///     hidden: Dense { w: [[0.0; 8]; 16], b: [1.0; 16] },
    ///     out: Dense { w: [[0.0; 16]; 3], b: [0.0; 3] },
    /// };
    /// Init::new(0).params(&mut mlp, |name| match name.last_field() {
    ///     "w" if name == "out.w" => Scheme::GlorotUniformFromShape,
    ///     "w" => Scheme::HeUniform { fan_in: 8 },
    ///     _ => Scheme::Zeros,
    /// });
    /// assert_eq!(mlp.hidden.b, [0.0; 16]);
    /// assert!(mlp.out.w.iter().flatten().all(|&w| w != 0.0 && w.abs() <= (6.0f64 / 19.0).sqrt()));
    /// ```
    ///
    /// # Panics
    ///
    /// As the methods, on a bad setting; and on a `..FromShape` scheme for a slice of fewer
    /// than 2 dimensions.
    #[track_caller]
    pub fn params<P: Params>(
        &mut self,
        model: &mut P,
        mut scheme: impl FnMut(&Name<'_>) -> Scheme,
    ) -> &mut Self {
        self.walk(model, |name, _| scheme(name))
    }

    /// Initialises a whole model with the usual defaults: every slice of 2 dimensions or more
    /// (a weight) from [`Scheme::GlorotUniformFromShape`], every other slice (a bias, a
    /// scalar) with zeros. The shape is read as `[outputs, inputs, ..]` (see [`fans`]).
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::init::Init;
    ///
    /// #[derive(Clone, Default, autodiff::Params)]
    /// struct Net {
    ///     w1: [[f64; 4]; 8],
    ///     b1: [f64; 8],
    ///     w2: [[f64; 8]; 2],
    ///     b2: [f64; 2],
    /// }
    ///
    /// let mut net = Net { b2: [1.0; 2], ..Net::default() };
    /// Init::new(3).model(&mut net);
    /// // w1 has 4 inputs and 8 outputs
    /// let limit = (6.0f64 / (4.0 + 8.0)).sqrt();
    /// assert!(net.w1.iter().flatten().all(|&w| w != 0.0 && w.abs() <= limit));
    /// assert_eq!(net.b2, [0.0; 2]);
    /// ```
    #[track_caller]
    pub fn model<P: Params>(&mut self, model: &mut P) -> &mut Self {
        self.walk(model, |_, shape| {
            if shape.len() >= 2 {
                Scheme::GlorotUniformFromShape
            } else {
                Scheme::Zeros
            }
        })
    }

    /// Fills every slice of `model` with the scheme `scheme(name, shape)`; panics at the
    /// caller on the first bad setting.
    #[track_caller]
    fn walk<P: Params>(
        &mut self,
        model: &mut P,
        mut scheme: impl FnMut(&Name<'_>, &[usize]) -> Scheme,
    ) -> &mut Self {
        let mut failure = None;
        model.for_each_slice_mut(|slice| {
            if failure.is_some() {
                return;
            }
            match scheme(slice.name, slice.shape).draw(slice.shape) {
                Ok(draw) => self.fill(slice.values, draw),
                Err(setting) => failure = Some(format!("{setting} (`{}`)", slice.name)),
            }
        });
        if let Some(setting) = failure {
            bad_setting(&setting);
        }
        self
    }

    fn fill<T: Float>(&mut self, x: &mut [T], draw: Draw) {
        match draw {
            Draw::Zeros => x.fill(T::zero()),
            Draw::Uniform(limit) => {
                for v in x {
                    // 2 u - 1 is exact for the 53-bit u in [0, 1): -1 <= 2 u - 1 < 1
                    *v = cast(limit * (2.0 * self.rng.unit() - 1.0));
                }
            }
            Draw::Normal(std) => {
                for pair in x.chunks_mut(2) {
                    let (z0, z1) = self.standard_normal_pair();
                    pair[0] = cast(std * z0);
                    if let Some(second) = pair.get_mut(1) {
                        *second = cast(std * z1);
                    }
                }
            }
        }
    }

    /// Two independent N(0, 1) draws (Box-Muller).
    fn standard_normal_pair(&mut self) -> (f64, f64) {
        // u1 in (0, 1], so its logarithm is finite
        let u1 = 1.0 - self.rng.unit();
        let u2 = self.rng.unit();
        let r = (-2.0 * u1.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
        (r * cos, r * sin)
    }
}

/// A draw in the parameters' float type (finite: the scales are checked, the draws bounded).
fn cast<T: Float>(value: f64) -> T {
    <T as NumCast>::from(value).unwrap_or_else(T::nan)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: usize = 100_000;

    fn draws(scheme: Scheme, seed: u64) -> Vec<f64> {
        let mut v = vec![0.0; N];
        Init::new(seed).apply(&mut v, scheme);
        v
    }

    fn mean_and_variance(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    /// Every scheme with its support bound (uniform) or standard deviation (normal).
    fn schemes() -> Vec<(Scheme, Option<f64>, f64)> {
        // (scheme, bound, theoretical standard deviation)
        let a = |x: f64| x.sqrt();
        vec![
            (Scheme::Uniform { limit: 0.3 }, Some(0.3), 0.3 / a(3.0)),
            (Scheme::Normal { std: 1.5 }, None, 1.5),
            (
                Scheme::GlorotUniform {
                    fan_in: 64,
                    fan_out: 10,
                },
                Some(a(6.0 / 74.0)),
                a(2.0 / 74.0),
            ),
            (
                Scheme::GlorotNormal {
                    fan_in: 30,
                    fan_out: 16,
                },
                None,
                a(2.0 / 46.0),
            ),
            (
                Scheme::HeUniform { fan_in: 30 },
                Some(a(6.0 / 30.0)),
                a(2.0 / 30.0),
            ),
            (Scheme::HeNormal { fan_in: 64 }, None, a(2.0 / 64.0)),
        ]
    }

    #[test]
    fn same_seed_same_values_other_seed_other_values() {
        for (scheme, _, _) in schemes() {
            let (a, b, c) = (draws(scheme, 7), draws(scheme, 7), draws(scheme, 8));
            assert_eq!(a, b, "{scheme:?}");
            assert!(a.iter().zip(&c).all(|(x, y)| x != y), "{scheme:?}");
        }
    }

    #[test]
    fn sequences_of_calls_are_reproducible_and_consume_the_generator() {
        let run = || {
            let mut w = [[0.0f32; 5]; 3];
            let mut b = vec![1.0f32; 4];
            let mut c = 0.0f32;
            let mut v = [0.0f32; 7];
            Init::new(11)
                .he_uniform(&mut w, 5)
                .zeros(&mut b)
                .normal(&mut c, 1.0)
                .glorot_normal(&mut v[..], 7, 7);
            (w, b, c, v)
        };
        let (w, b, c, v) = run();
        assert_eq!((w, b.clone(), c, v), run());
        assert_eq!(b, [0.0; 4]);
        // later fields do not repeat earlier draws
        assert!(w[0] != w[1] && w[1] != w[2]);
        assert!(v.iter().all(|&x| x != 0.0 && x != c));
    }

    #[test]
    fn uniform_schemes_stay_within_their_bounds_and_reach_them() {
        for (scheme, bound, _) in schemes() {
            let Some(bound) = bound else { continue };
            let v = draws(scheme, 1);
            assert!(v.iter().all(|x| x.abs() <= bound), "{scheme:?}");
            let max = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(max > 0.999 * bound, "{scheme:?}: max |x| {max}");
            assert!(v.iter().any(|&x| x < -0.999 * bound), "{scheme:?}");
            assert!(v.iter().any(|&x| x > 0.999 * bound), "{scheme:?}");
        }
    }

    #[test]
    fn sample_mean_and_variance_match_the_theory() {
        for (scheme, _, std) in schemes() {
            let v = draws(scheme, 3);
            let (mean, var) = mean_and_variance(&v);
            // the standard error of the mean is std / 316; of the variance under 0.5 %
            assert!(mean.abs() < 0.015 * std, "{scheme:?}: mean {mean}");
            assert!(
                (var / (std * std) - 1.0).abs() < 0.025,
                "{scheme:?}: variance {var}, expected {}",
                std * std
            );
        }
    }

    #[test]
    fn normal_draws_have_a_normal_shape() {
        let v = draws(Scheme::Normal { std: 1.0 }, 5);
        let within = |k: f64| v.iter().filter(|x| x.abs() < k).count() as f64 / N as f64;
        assert!((within(1.0) - 0.6827).abs() < 0.006, "{}", within(1.0));
        assert!((within(2.0) - 0.9545).abs() < 0.004, "{}", within(2.0));
        let fourth = v.iter().map(|x| x.powi(4)).sum::<f64>() / N as f64;
        assert!((fourth - 3.0).abs() < 0.15, "kurtosis {fourth}");
    }

    #[test]
    fn odd_lengths_and_every_field_shape() {
        let mut scalar = 0.0;
        let mut array = [0.0; 3];
        let mut matrix = [[0.0; 2]; 3];
        let mut vec = vec![0.0; 5];
        let mut init = Init::new(0);
        init.normal(&mut scalar, 1.0)
            .normal(&mut array, 1.0)
            .normal(&mut matrix, 1.0)
            .normal(&mut vec, 1.0)
            .normal(&mut vec[1..4], 1.0);
        assert!(scalar != 0.0);
        assert!(array
            .iter()
            .chain(matrix.iter().flatten())
            .all(|&x| x != 0.0));
        assert!(vec.iter().all(|&x| x != 0.0));
    }

    #[derive(Clone, Debug, Default, PartialEq, crate::Params)]
    struct Dense {
        w: [[f64; 4]; 3],
        b: [f64; 3],
    }

    #[derive(Clone, Debug, Default, PartialEq, crate::Params)]
    struct Net {
        hidden: [Dense; 2],
        head: Vec<f64>,
        scale: f64,
    }

    fn fresh() -> Net {
        let dense = Dense {
            b: [1.0; 3],
            ..Dense::default()
        };
        Net {
            hidden: [dense.clone(), dense],
            head: vec![0.0; 3],
            scale: 1.0,
        }
    }

    #[test]
    fn params_applies_a_scheme_per_named_slice_like_the_methods() {
        let mut by_name = fresh();
        let mut seen = Vec::new();
        Init::new(9).params(&mut by_name, |name| {
            seen.push(name.to_string());
            match name.last_field() {
                "w" if name == "hidden[1].w" => Scheme::GlorotNormalFromShape,
                "w" => Scheme::HeUniform { fan_in: 4 },
                "head" => Scheme::GlorotNormal {
                    fan_in: 3,
                    fan_out: 1,
                },
                _ => Scheme::Zeros,
            }
        });
        let names = ["hidden[0].w", "hidden[0].b", "hidden[1].w", "hidden[1].b"];
        assert_eq!(seen, [&names[..], &["head", "scale"]].concat());
        let mut by_field = fresh();
        let [first, second] = &mut by_field.hidden;
        Init::new(9)
            .he_uniform(&mut first.w, 4)
            .zeros(&mut first.b)
            .glorot_normal(&mut second.w, 4, 3)
            .zeros(&mut second.b)
            .glorot_normal(&mut by_field.head, 3, 1)
            .zeros(&mut by_field.scale);
        assert_eq!(by_name, by_field);
        assert_eq!((by_name.hidden[1].b, by_name.scale), ([0.0; 3], 0.0));
    }

    #[test]
    fn model_draws_glorot_weights_from_their_shape_and_zero_biases() {
        let mut by_default = fresh();
        Init::new(4).model(&mut by_default);
        let mut by_field = fresh();
        let [first, second] = &mut by_field.hidden;
        Init::new(4)
            .glorot_uniform(&mut first.w, 4, 3)
            .zeros(&mut first.b)
            .glorot_uniform(&mut second.w, 4, 3)
            .zeros(&mut second.b)
            .zeros(&mut by_field.head)
            .zeros(&mut by_field.scale);
        assert_eq!(by_default, by_field);
        assert!(by_default.hidden[0].w.iter().flatten().all(|&w| w != 0.0));
    }

    #[test]
    fn from_shape_schemes_read_fans_as_outputs_then_inputs() {
        for (scheme, explicit) in [
            (Scheme::HeNormalFromShape, Scheme::HeNormal { fan_in: 5 }),
            (
                Scheme::GlorotUniformFromShape,
                Scheme::GlorotUniform {
                    fan_in: 5,
                    fan_out: 2,
                },
            ),
        ] {
            let (mut a, mut b) = ([[0.0f32; 5]; 2], [[0.0f32; 5]; 2]);
            Init::new(1).apply(&mut a, scheme);
            Init::new(1).apply(&mut b, explicit);
            assert_eq!(a, b, "{scheme:?}");
        }
    }

    #[test]
    #[should_panic(
        expected = "HeUniformFromShape on a slice of shape [3]: fans need 2 dimensions or more \
                    (`hidden[0].b`)"
    )]
    fn from_shape_on_a_bias_panics_naming_it() {
        Init::new(0).params(&mut fresh(), |_| Scheme::HeUniformFromShape);
    }

    #[test]
    #[should_panic(expected = "fan_in 0")]
    fn zero_fan_in_panics() {
        Init::new(0).he_uniform(&mut [0.0; 3], 0);
    }

    #[test]
    #[should_panic(expected = "fan_out 0")]
    fn zero_fan_out_panics() {
        Init::new(0).glorot_uniform(&mut [0.0; 3], 3, 0);
    }

    #[test]
    #[should_panic(expected = "std NaN")]
    fn bad_std_panics() {
        Init::new(0).normal(&mut [0.0; 3], f64::NAN);
    }
}
