//! Dual numbers: a value and its tangent, carried together through arithmetic.
//!
//! `NAME_hvp` runs the gradient's sweeps on dual numbers (forward over reverse): every
//! parameter carries its direction `v` as a tangent, so each adjoint comes back with its
//! derivative along `v`, the Hessian-vector product. The macro writes that sweep as
//! `NAME_dual_adjoint`; its active values are `Dual<T>`, its data stay `T`.
//!
//! Comparisons read the value alone: a branch takes the side the plain function takes.

use core::cmp::Ordering;
use core::fmt;
use core::iter::Sum;
use core::num::FpCategory;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, Sub, SubAssign};

use num_traits::{Float, Num, NumCast, One, ToPrimitive, Zero};

/// A number `value + tangent ε` with `ε² = 0`: `f(x + v ε) = f(x) + f'(x) v ε`.
///
/// ```
/// use autodiff_runtime::Dual;
///
/// // The derivative of sin(x) x at x = 2, along 1.
/// let x = Dual::new(2.0_f64, 1.0);
/// let y = x.sin() * x;
/// assert_eq!(y.value, 2.0_f64.sin() * 2.0);
/// assert!((y.tangent - (2.0_f64.cos() * 2.0 + 2.0_f64.sin())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy)]
pub struct Dual<T> {
    pub value: T,
    pub tangent: T,
}

/// Zero, as for any float (and what a generated sweep passes as a zero cotangent, whatever
/// the callee's is: a number, or an array of them).
impl<T: Float> Default for Dual<T> {
    #[inline(always)]
    fn default() -> Self {
        Dual::constant(T::zero())
    }
}

/// The slope a dual number takes for `|x|`: at 0 (of either sign) that of the side
/// `x >= 0` picks, as the branches of a function smooth at 0 written through `|x|` do (a
/// stable sigmoid, `if z >= 0 { 1 / (1 + e) } else { e / (1 + e) }` with `e = exp(-|z|)`;
/// `erfc` of `|x|` with the sign put back by `if x >= 0`), so that such a function keeps its
/// derivative there.
trait AbsSide {
    fn abs_side(self) -> Self;
}

impl<T: Float> AbsSide for T {
    #[inline(always)]
    fn abs_side(self) -> T {
        if self < T::zero() {
            -T::one()
        } else {
            T::one()
        }
    }
}

impl<T: Float> Dual<T> {
    /// `value + tangent ε`.
    #[inline(always)]
    pub fn new(value: T, tangent: T) -> Self {
        Dual { value, tangent }
    }

    /// A number that does not move: zero tangent.
    #[inline(always)]
    pub fn constant(value: T) -> Self {
        Dual::new(value, T::zero())
    }

    /// `f(value)` with tangent `f'(value) tangent`; a zero tangent stays zero where `f'` is
    /// infinite (`sqrt` at 0 of data lifted to a dual number), not `0 * inf`.
    #[inline(always)]
    fn chain(self, value: T, derivative: T) -> Self {
        let tangent = match self.tangent == T::zero() {
            true => T::zero(),
            false => derivative * self.tangent,
        };
        Dual::new(value, tangent)
    }
}

/// `a.total_cmp(b)` in a sort's comparator (`v.sort_by(|a, b| a.total_cmp(b))`) run on dual
/// numbers: the order of the values, as `partial_cmp`'s.
macro_rules! total_cmp {
    ($($t:ty),*) => {$(
        impl Dual<$t> {
            #[inline(always)]
            pub fn total_cmp(&self, other: &Self) -> Ordering {
                self.value.total_cmp(&other.value)
            }
        }
    )*};
}
total_cmp!(f32, f64);

impl<T: fmt::Debug> fmt::Debug for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} + {:?}ε", self.value, self.tangent)
    }
}

impl<T: fmt::Display> fmt::Display for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {}ε", self.value, self.tangent)
    }
}

impl<T: Float> From<T> for Dual<T> {
    #[inline(always)]
    fn from(value: T) -> Self {
        Dual::constant(value)
    }
}

impl<T: PartialEq> PartialEq for Dual<T> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: PartialOrd> PartialOrd for Dual<T> {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

// ----- arithmetic -------------------------------------------------------------------------------

impl<T: Float> Add for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Dual::new(self.value + o.value, self.tangent + o.tangent)
    }
}

impl<T: Float> Sub for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Dual::new(self.value - o.value, self.tangent - o.tangent)
    }
}

/// `t * v` that is zero where the tangent `t` is, also when `v` is infinite: a constant
/// infinity (`f64::INFINITY` starting a soft-DTW table) scaled or divided by a number has a
/// zero tangent, not `0 * inf` (NaN).
#[inline(always)]
fn scaled<T: Float>(t: T, v: T) -> T {
    if t == T::zero() {
        t
    } else {
        t * v
    }
}

impl<T: Float> Mul for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Dual::new(
            self.value * o.value,
            scaled(self.tangent, o.value) + scaled(o.tangent, self.value),
        )
    }
}

impl<T: Float> Div for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let q = self.value / o.value;
        Dual::new(q, (self.tangent - scaled(o.tangent, q)) / o.value)
    }
}

impl<T: Float> Rem for Dual<T> {
    type Output = Self;
    /// `x % y = x - trunc(x / y) y`: tangent `t_x - trunc(x / y) t_y`.
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        let n = (self.value / o.value).trunc();
        Dual::new(self.value % o.value, self.tangent - n * o.tangent)
    }
}

impl<T: Float> Neg for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual::new(-self.value, -self.tangent)
    }
}

/// A plain number on the right: a constant (`d_out * scale`, `x * LN_2`).
macro_rules! with_constant {
    ($($op:ident $method:ident),*) => {$(
        impl<T: Float> $op<T> for Dual<T> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, o: T) -> Self {
                self.$method(Dual::constant(o))
            }
        }
    )*};
}
with_constant!(Add add, Sub sub, Mul mul, Div div);

macro_rules! assign {
    ($($op:ident $method:ident $by:ident),*) => {$(
        impl<T: Float> $op for Dual<T> {
            #[inline(always)]
            fn $method(&mut self, o: Self) {
                *self = (*self).$by(o);
            }
        }
    )*};
}
assign!(AddAssign add_assign add, SubAssign sub_assign sub, MulAssign mul_assign mul, DivAssign div_assign div);

impl<T: Float> Sum for Dual<T> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Dual::zero(), |a, b| a + b)
    }
}

impl<T: Float> Zero for Dual<T> {
    #[inline(always)]
    fn zero() -> Self {
        Dual::constant(T::zero())
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.value.is_zero() && self.tangent.is_zero()
    }
}

impl<T: Float> One for Dual<T> {
    #[inline(always)]
    fn one() -> Self {
        Dual::constant(T::one())
    }
}

impl<T: Float> Num for Dual<T> {
    type FromStrRadixErr = T::FromStrRadixErr;
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Dual::constant)
    }
}

impl<T: Float> ToPrimitive for Dual<T> {
    fn to_i64(&self) -> Option<i64> {
        self.value.to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.value.to_u64()
    }
    fn to_f64(&self) -> Option<f64> {
        self.value.to_f64()
    }
}

impl<T: Float> NumCast for Dual<T> {
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        T::from(n).map(Dual::constant)
    }
}

// ----- functions --------------------------------------------------------------------------------

/// The value alone: a piecewise constant function, or a test of the value.
macro_rules! of_value {
    ($($name:ident -> $out:ty),* $(,)?) => {$(
        #[inline(always)]
        pub fn $name(self) -> $out {
            Dual::constant(self.value.$name())
        }
    )*};
}

macro_rules! predicate {
    ($($name:ident),* $(,)?) => {$(
        #[inline(always)]
        pub fn $name(self) -> bool {
            self.value.$name()
        }
    )*};
}

/// The functions of a float, as methods (generated code calls `x.sin()` without importing
/// a trait); `Float` for `Dual<T>` forwards to them.
impl<T: Float> Dual<T> {
    of_value!(floor -> Self, ceil -> Self, round -> Self, trunc -> Self, signum -> Self);
    predicate!(
        is_nan,
        is_infinite,
        is_finite,
        is_normal,
        is_sign_positive,
        is_sign_negative
    );

    #[inline(always)]
    pub fn fract(self) -> Self {
        Dual::new(self.value.fract(), self.tangent)
    }
    #[inline(always)]
    pub fn abs(self) -> Self {
        self.chain(self.value.abs(), self.value.abs_side())
    }
    /// Whether both parts are zero: an adjoint that passes nothing on, not even to the
    /// tangent (a guard against `0 * inf` that compared the value alone would drop the
    /// tangent of an adjoint whose value is 0 at that point, and with it a Hessian's term).
    #[doc(hidden)]
    #[inline(always)]
    pub fn is_nothing(&self) -> bool {
        self.value == T::zero() && self.tangent == T::zero()
    }

    /// What `abs`'s reverse rule passes back on dual numbers: `d` times the slope
    /// [`Dual::abs`] takes, the side `x >= 0` picks at 0, where the gradient alone takes
    /// `abs'(0) = 0`. A Hessian-vector product is the derivative of the gradient along the
    /// direction, which at 0 the slope of one side gives, as the value and the tangent of
    /// every other step do: the second derivative of a function smooth at 0 written through
    /// `|x|` (a stable sigmoid, `erfc` of `|x|` with the sign put back), and the gradient
    /// beside it that of that side.
    #[doc(hidden)]
    #[inline(always)]
    pub fn abs_adjoint(self, d: Self) -> Self {
        d * Dual::constant(self.value.abs_side())
    }
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    #[inline(always)]
    pub fn recip(self) -> Self {
        let r = self.value.recip();
        self.chain(r, -r * r)
    }
    #[inline(always)]
    pub fn powi(self, n: i32) -> Self {
        let d = match n {
            0 => T::zero(),
            _ => T::from(n).unwrap_or_else(T::nan) * self.value.powi(n - 1),
        };
        self.chain(self.value.powi(n), d)
    }
    #[inline(always)]
    pub fn powf(self, n: Self) -> Self {
        let p = self.value.powf(n.value);
        // d(x^y) = y x^(y-1) dx + x^y ln(x) dy; the second term only where y moves.
        // `x^0` is 1 everywhere, and its slope 0 (not `0 * 0^-1` at 0).
        let dx = if self.tangent.is_zero() || n.value.is_zero() {
            T::zero()
        } else {
            n.value * self.value.powf(n.value - T::one()) * self.tangent
        };
        // At 0, `x^y` moves with `y` by `0 * ln 0` written out: 0 in the limit.
        let dy = if n.tangent.is_zero() || p.is_zero() {
            T::zero()
        } else {
            p * self.value.ln() * n.tangent
        };
        Dual::new(p, dx + dy)
    }
    #[inline(always)]
    pub fn sqrt(self) -> Self {
        let s = self.value.sqrt();
        self.chain(s, (s + s).recip())
    }
    #[inline(always)]
    pub fn cbrt(self) -> Self {
        let c = self.value.cbrt();
        self.chain(c, (T::from(3.0).unwrap_or_else(T::nan) * c * c).recip())
    }
    #[inline(always)]
    pub fn to_radians(self) -> Self {
        self.chain(self.value.to_radians(), T::one().to_radians())
    }
    #[inline(always)]
    pub fn to_degrees(self) -> Self {
        self.chain(self.value.to_degrees(), T::one().to_degrees())
    }
    #[inline(always)]
    pub fn exp(self) -> Self {
        let e = self.value.exp();
        self.chain(e, e)
    }
    #[inline(always)]
    pub fn exp2(self) -> Self {
        let e = self.value.exp2();
        self.chain(
            e,
            e * T::from(core::f64::consts::LN_2).unwrap_or_else(T::nan),
        )
    }
    #[inline(always)]
    pub fn exp_m1(self) -> Self {
        self.chain(self.value.exp_m1(), self.value.exp())
    }
    #[inline(always)]
    pub fn ln(self) -> Self {
        self.chain(self.value.ln(), self.value.recip())
    }
    #[inline(always)]
    pub fn ln_1p(self) -> Self {
        self.chain(self.value.ln_1p(), (T::one() + self.value).recip())
    }
    #[inline(always)]
    pub fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }
    #[inline(always)]
    pub fn log2(self) -> Self {
        let ln2 = T::from(core::f64::consts::LN_2).unwrap_or_else(T::nan);
        self.chain(self.value.log2(), (self.value * ln2).recip())
    }
    #[inline(always)]
    pub fn log10(self) -> Self {
        let ln10 = T::from(core::f64::consts::LN_10).unwrap_or_else(T::nan);
        self.chain(self.value.log10(), (self.value * ln10).recip())
    }
    #[inline(always)]
    pub fn sin(self) -> Self {
        let (s, c) = self.value.sin_cos();
        self.chain(s, c)
    }
    #[inline(always)]
    pub fn cos(self) -> Self {
        let (s, c) = self.value.sin_cos();
        self.chain(c, -s)
    }
    #[inline(always)]
    pub fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    #[inline(always)]
    pub fn tan(self) -> Self {
        let t = self.value.tan();
        self.chain(t, T::one() + t * t)
    }
    #[inline(always)]
    pub fn asin(self) -> Self {
        let d = (T::one() - self.value * self.value).sqrt().recip();
        self.chain(self.value.asin(), d)
    }
    #[inline(always)]
    pub fn acos(self) -> Self {
        let d = -(T::one() - self.value * self.value).sqrt().recip();
        self.chain(self.value.acos(), d)
    }
    #[inline(always)]
    pub fn atan(self) -> Self {
        self.chain(
            self.value.atan(),
            (T::one() + self.value * self.value).recip(),
        )
    }
    /// `atan2(self, x)`, the angle of the point `(x, self)`.
    #[inline(always)]
    pub fn atan2(self, x: Self) -> Self {
        let r2 = x.value * x.value + self.value * self.value;
        Dual::new(
            self.value.atan2(x.value),
            (x.value * self.tangent - self.value * x.tangent) / r2,
        )
    }
    #[inline(always)]
    pub fn sinh(self) -> Self {
        self.chain(self.value.sinh(), self.value.cosh())
    }
    #[inline(always)]
    pub fn cosh(self) -> Self {
        self.chain(self.value.cosh(), self.value.sinh())
    }
    #[inline(always)]
    pub fn tanh(self) -> Self {
        let t = self.value.tanh();
        self.chain(t, T::one() - t * t)
    }
    #[inline(always)]
    pub fn asinh(self) -> Self {
        let d = (self.value * self.value + T::one()).sqrt().recip();
        self.chain(self.value.asinh(), d)
    }
    #[inline(always)]
    pub fn acosh(self) -> Self {
        let d = (self.value * self.value - T::one()).sqrt().recip();
        self.chain(self.value.acosh(), d)
    }
    #[inline(always)]
    pub fn atanh(self) -> Self {
        self.chain(
            self.value.atanh(),
            (T::one() - self.value * self.value).recip(),
        )
    }
    #[inline(always)]
    pub fn hypot(self, y: Self) -> Self {
        let h = self.value.hypot(y.value);
        Dual::new(h, (self.value * self.tangent + y.value * y.tangent) / h)
    }
    /// Ties follow `self`, as the reverse sweep's rule.
    #[inline(always)]
    pub fn max(self, other: Self) -> Self {
        if self.value >= other.value || other.value.is_nan() {
            self
        } else {
            other
        }
    }
    /// Ties follow `self`, as the reverse sweep's rule.
    #[inline(always)]
    pub fn min(self, other: Self) -> Self {
        if self.value <= other.value || other.value.is_nan() {
            self
        } else {
            other
        }
    }
    #[inline(always)]
    pub fn clamp(self, lo: Self, hi: Self) -> Self {
        // At a bound the bound moves it, as the reverse sweep's rule.
        if self.value <= lo.value {
            lo
        } else if self.value >= hi.value {
            hi
        } else {
            self
        }
    }
    /// `self - q y` with `q` the integer `f64::div_euclid` gives: tangent `t_self - q t_y`.
    #[inline(always)]
    pub fn rem_euclid(self, y: Self) -> Self {
        let r = self.value % y.value;
        let r = if r < T::zero() { r + y.value.abs() } else { r };
        let q = ((self.value - r) / y.value).round();
        Dual::new(r, self.tangent - q * y.tangent)
    }
    /// `(self + y) / 2`, as `f64::midpoint`.
    #[inline(always)]
    pub fn midpoint(self, y: Self) -> Self {
        let half = T::one() / (T::one() + T::one());
        Dual::new(
            (self.value * half) + (y.value * half),
            (self.tangent + y.tangent) * half,
        )
    }
    #[inline(always)]
    pub fn copysign(self, sign: Self) -> Self {
        let c = self.value.copysign(sign.value);
        let d = if self.value.is_zero() {
            T::zero()
        } else {
            c / self.value
        };
        self.chain(c, d)
    }
}

/// `Float`'s methods that are `Dual`'s own: `fn name(self, ..) -> .. { Dual::name(self, ..) }`.
macro_rules! delegate {
    (bool: [$($b:ident),*]; unary: [$($u:ident),*]; binary: [$($m:ident),*]; ternary: [$($t:ident),*];) => {
        $(fn $b(self) -> bool {
            Dual::$b(self)
        })*
        $(fn $u(self) -> Self {
            Dual::$u(self)
        })*
        $(fn $m(self, other: Self) -> Self {
            Dual::$m(self, other)
        })*
        $(fn $t(self, a: Self, b: Self) -> Self {
            Dual::$t(self, a, b)
        })*
    };
}

/// `Float` for generic code (the runtime's activations and losses, a `T: Float` function):
/// the methods above, and the value's for what has no derivative.
impl<T: Float> Float for Dual<T> {
    fn nan() -> Self {
        Dual::constant(T::nan())
    }
    fn infinity() -> Self {
        Dual::constant(T::infinity())
    }
    fn neg_infinity() -> Self {
        Dual::constant(T::neg_infinity())
    }
    fn neg_zero() -> Self {
        Dual::constant(T::neg_zero())
    }
    fn min_value() -> Self {
        Dual::constant(T::min_value())
    }
    fn min_positive_value() -> Self {
        Dual::constant(T::min_positive_value())
    }
    fn epsilon() -> Self {
        Dual::constant(T::epsilon())
    }
    fn max_value() -> Self {
        Dual::constant(T::max_value())
    }
    fn classify(self) -> FpCategory {
        self.value.classify()
    }
    fn integer_decode(self) -> (u64, i16, i8) {
        self.value.integer_decode()
    }
    fn abs_sub(self, other: Self) -> Self {
        (self - other).max(Dual::zero())
    }
    delegate! {
        bool: [is_nan, is_infinite, is_finite, is_normal, is_sign_positive, is_sign_negative];
        unary: [floor, ceil, round, trunc, signum, fract, abs, recip, to_degrees, to_radians, sqrt, cbrt, exp, exp2, exp_m1, ln, ln_1p, log2, log10, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh];
        binary: [powf, log, atan2, hypot, max, min, copysign];
        ternary: [mul_add, clamp];
    }
    fn sin_cos(self) -> (Self, Self) {
        Dual::sin_cos(self)
    }
    fn powi(self, n: i32) -> Self {
        Dual::powi(self, n)
    }
}

/// `NAME_dual_adjoint` for a hand-written `NAME_adjoint` generic over `T: Float`: the same
/// function on dual numbers, which the `_hvp` of a `#[grad]` function calling `NAME` calls.
macro_rules! dual_adjoints {
    ($($name:ident = $adjoint:ident($($arg:ident: $ty:ty),*; $($shadow:ident: $S:ident: $bound:ident),*);)*) => {$(
        #[doc = concat!("[`", stringify!($adjoint), "`] on dual numbers, for second order (`#[grad(modes(hvp))]`) through a call.")]
        #[inline]
        pub fn $name<T: num_traits::Float, $($S: $crate::shadow::$bound<$crate::Dual<T>>),*>(
            $($arg: $ty,)*
            d_out: $crate::Dual<T>,
            $($shadow: $S),*
        ) -> $crate::Dual<T> {
            $adjoint($($arg,)* d_out, $($shadow),*)
        }
    )*};
}
pub(crate) use dual_adjoints;

// ----- arrays of them (for the generated `NAME_hvp`) -------------------------------------------

/// An array of floats as dual numbers: constants (data handed to `g_dual_adjoint`), or moving
/// along a direction of the same shape (a parameter of `NAME_hvp`). `Lift` is for vectors,
/// [`LiftRows`] for matrices (rows of them).
pub trait Lift {
    type Dual;
    fn lift(&self) -> Self::Dual;
    fn with_tangent(&self, tangent: &Self) -> Self::Dual;
}

/// A matrix of floats as dual numbers, row by row (see [`Lift`]).
pub trait LiftRows {
    type Dual;
    fn lift(&self) -> Self::Dual;
    fn with_tangent(&self, tangent: &Self) -> Self::Dual;
}

impl<T: Float, const N: usize> Lift for [T; N] {
    type Dual = [Dual<T>; N];
    fn lift(&self) -> Self::Dual {
        self.map(Dual::constant)
    }
    fn with_tangent(&self, tangent: &Self) -> Self::Dual {
        core::array::from_fn(|i| Dual::new(self[i], tangent[i]))
    }
}

impl<T: Float> Lift for [T] {
    type Dual = Vec<Dual<T>>;
    fn lift(&self) -> Self::Dual {
        self.iter().map(|&x| Dual::constant(x)).collect()
    }
    fn with_tangent(&self, tangent: &Self) -> Self::Dual {
        self.iter()
            .zip(tangent)
            .map(|(&x, &t)| Dual::new(x, t))
            .collect()
    }
}

impl<T: Float, const M: usize, const N: usize> LiftRows for [[T; M]; N] {
    type Dual = [[Dual<T>; M]; N];
    fn lift(&self) -> Self::Dual {
        self.map(|row| row.lift())
    }
    fn with_tangent(&self, tangent: &Self) -> Self::Dual {
        core::array::from_fn(|i| self[i].with_tangent(&tangent[i]))
    }
}

/// Rows of a slice: fixed-size arrays or `Vec`s.
impl<R: Lift> LiftRows for [R] {
    type Dual = Vec<R::Dual>;
    fn lift(&self) -> Self::Dual {
        self.iter().map(Lift::lift).collect()
    }
    fn with_tangent(&self, tangent: &Self) -> Self::Dual {
        self.iter()
            .zip(tangent)
            .map(|(x, t)| x.with_tangent(t))
            .collect()
    }
}

/// A reference or a `Vec` lifts as what it refers to.
macro_rules! through_references {
    ($($lift:ident),*) => {$(
        impl<A: $lift + ?Sized> $lift for &A {
            type Dual = A::Dual;
            fn lift(&self) -> Self::Dual {
                (**self).lift()
            }
            fn with_tangent(&self, tangent: &Self) -> Self::Dual {
                (**self).with_tangent(tangent)
            }
        }

        impl<A> $lift for Vec<A> where [A]: $lift {
            type Dual = <[A] as $lift>::Dual;
            fn lift(&self) -> Self::Dual {
                self[..].lift()
            }
            fn with_tangent(&self, tangent: &Self) -> Self::Dual {
                self[..].with_tangent(tangent)
            }
        }
    )*};
}
through_references!(Lift, LiftRows);

/// A number where the macro took an array: a constant passed to a call, whose type the
/// function does not write.
macro_rules! lift_number {
    ($($t:ty),*) => {$(
        impl Lift for $t {
            type Dual = Dual<$t>;
            fn lift(&self) -> Self::Dual {
                Dual::constant(*self)
            }
            fn with_tangent(&self, tangent: &Self) -> Self::Dual {
                Dual::new(*self, *tangent)
            }
        }
    )*};
}
lift_number!(f32, f64);

/// A tuple of numbers of one type (a tuple parameter, `p: (f64, f64)`) as dual numbers, and
/// a tuple of dual numbers split into values and tangents.
macro_rules! dual_tuples {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        impl<T: Float> Lift for ($(dual_tuples!(@elem $index T),)+) {
            type Dual = ($(dual_tuples!(@elem $index Dual<T>),)+);
            fn lift(&self) -> Self::Dual {
                ($(Dual::constant(self.$index),)+)
            }
            fn with_tangent(&self, tangent: &Self) -> Self::Dual {
                ($(Dual::new(self.$index, tangent.$index),)+)
            }
        }

        impl<T: Float> Split for ($(dual_tuples!(@elem $index Dual<T>),)+) {
            type Values = ($(dual_tuples!(@elem $index T),)+);
            fn split(self) -> (Self::Values, Self::Values) {
                (($(self.$index.value,)+), ($(self.$index.tangent,)+))
            }
        }

        impl<T> crate::__private::ArrayLen for ($(dual_tuples!(@elem $index T),)+) {
            fn array_len(&self) -> usize {
                $len
            }
        }
    )+};
    (@elem $index:tt $t:ty) => { $t };
}

crate::for_tuples!(dual_tuples);

/// A number or a nested array of them in a `const` or `static` table, lifted to constants
/// whatever its depth (`[f64; 3]`, `[[f64; 3]; 3]`): the macro does not see a table's type.
pub trait LiftElem: Copy {
    type Dual;
    fn lift_elem(self) -> Self::Dual;
}

impl LiftElem for f64 {
    type Dual = Dual<f64>;
    fn lift_elem(self) -> Dual<f64> {
        Dual::constant(self)
    }
}

impl LiftElem for f32 {
    type Dual = Dual<f32>;
    fn lift_elem(self) -> Dual<f32> {
        Dual::constant(self)
    }
}

impl<E: LiftElem, const M: usize> LiftElem for [E; M] {
    type Dual = [E::Dual; M];
    fn lift_elem(self) -> Self::Dual {
        self.map(LiftElem::lift_elem)
    }
}

/// A `const` or `static` table (an array of any depth, or a slice of them) lifted to
/// constants, for `g_dual_adjoint`.
pub trait LiftConstant {
    type Dual;
    fn lift_constant(&self) -> Self::Dual;
}

impl<E: LiftElem, const N: usize> LiftConstant for [E; N] {
    type Dual = [E::Dual; N];
    fn lift_constant(&self) -> Self::Dual {
        self.map(LiftElem::lift_elem)
    }
}

/// A scalar `const EPS: f64` (the macro cannot see that it is not an array).
macro_rules! lift_constant_numbers {
    ($($t:ty),*) => {$(
        impl LiftConstant for $t {
            type Dual = Dual<$t>;
            fn lift_constant(&self) -> Dual<$t> {
                Dual::constant(*self)
            }
        }
    )*};
}
lift_constant_numbers!(f32, f64);

impl<E: LiftElem> LiftConstant for [E] {
    type Dual = Vec<E::Dual>;
    fn lift_constant(&self) -> Self::Dual {
        self.iter().map(|&e| e.lift_elem()).collect()
    }
}

impl<A: LiftConstant + ?Sized> LiftConstant for &A {
    type Dual = A::Dual;
    fn lift_constant(&self) -> Self::Dual {
        (**self).lift_constant()
    }
}

/// A lifted constant as the `g_dual_adjoint` parameter it is passed to takes it: a number
/// or an array by value, or a reference to an array or a slice.
pub trait PassAs<'a, T> {
    fn pass_as(&'a self) -> T;
}

impl<T: Float> PassAs<'_, Dual<T>> for Dual<T> {
    fn pass_as(&self) -> Dual<T> {
        *self
    }
}

impl<D: Copy, const N: usize> PassAs<'_, [D; N]> for [D; N] {
    fn pass_as(&self) -> [D; N] {
        *self
    }
}

impl<'a, D, const N: usize> PassAs<'a, &'a [D; N]> for [D; N] {
    fn pass_as(&'a self) -> &'a [D; N] {
        self
    }
}

impl<'a, D, const N: usize> PassAs<'a, &'a [D]> for [D; N] {
    fn pass_as(&'a self) -> &'a [D] {
        self
    }
}

impl<'a, D> PassAs<'a, &'a [D]> for Vec<D> {
    fn pass_as(&'a self) -> &'a [D] {
        self
    }
}

impl<'a, D> PassAs<'a, &'a Vec<D>> for Vec<D> {
    fn pass_as(&'a self) -> &'a Vec<D> {
        self
    }
}

/// Dual numbers split into their values and their tangents (a gradient accumulated on dual
/// numbers: the gradient, and its derivative along the direction).
pub trait Split {
    type Values;
    fn split(self) -> (Self::Values, Self::Values);
}

impl<T: Float> Split for Dual<T> {
    type Values = T;
    fn split(self) -> (T, T) {
        (self.value, self.tangent)
    }
}

impl<S: Split + Copy, const N: usize> Split for [S; N] {
    type Values = [S::Values; N];
    fn split(self) -> (Self::Values, Self::Values) {
        (self.map(|x| x.split().0), self.map(|x| x.split().1))
    }
}

impl<S: Split> Split for Vec<S> {
    type Values = Vec<S::Values>;
    fn split(self) -> (Self::Values, Self::Values) {
        self.into_iter().map(Split::split).unzip()
    }
}

/// An array bound by reference (`let w = &w_1;`, a user's name for an array made under
/// another), split as the array it refers to.
impl<S: Split + Clone> Split for &S {
    type Values = S::Values;
    fn split(self) -> (Self::Values, Self::Values) {
        self.clone().split()
    }
}

/// The values of dual numbers in any shape, through any references (`&[Dual<T>]` of a slice
/// parameter lent again, `&&[Dual<T>; N]`): what code passed through reads of them.
pub trait DualValues {
    type Values;
    fn values(&self) -> Self::Values;
}

impl<S: Split + Clone> DualValues for [S] {
    type Values = Vec<S::Values>;
    fn values(&self) -> Self::Values {
        self.iter().map(|x| x.clone().split().0).collect()
    }
}

impl<S: Split + Copy, const N: usize> DualValues for [S; N] {
    type Values = [S::Values; N];
    fn values(&self) -> Self::Values {
        self.map(|x| x.split().0)
    }
}

impl<S: Split + Clone> DualValues for Vec<S> {
    type Values = Vec<S::Values>;
    fn values(&self) -> Self::Values {
        self[..].values()
    }
}

impl<D: DualValues + ?Sized> DualValues for &D {
    type Values = D::Values;
    fn values(&self) -> Self::Values {
        (**self).values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each function's tangent against a central difference of its value.
    #[test]
    fn every_function_has_the_derivative_of_its_value() {
        type F = fn(Dual<f64>) -> Dual<f64>;
        let cases: &[(&str, F, f64)] = &[
            ("sin", |x| x.sin(), 0.7),
            ("cos", |x| x.cos(), 0.7),
            ("tan", |x| x.tan(), 0.7),
            ("asin", |x| x.asin(), 0.3),
            ("acos", |x| x.acos(), 0.3),
            ("atan", |x| x.atan(), 0.3),
            ("sinh", |x| x.sinh(), 0.7),
            ("cosh", |x| x.cosh(), 0.7),
            ("tanh", |x| x.tanh(), 0.7),
            ("asinh", |x| x.asinh(), 0.7),
            ("acosh", |x| x.acosh(), 1.7),
            ("atanh", |x| x.atanh(), 0.3),
            ("exp", |x| x.exp(), 0.7),
            ("exp2", |x| x.exp2(), 0.7),
            ("exp_m1", |x| x.exp_m1(), 0.7),
            ("ln", |x| x.ln(), 0.7),
            ("ln_1p", |x| x.ln_1p(), 0.7),
            ("log2", |x| x.log2(), 0.7),
            ("log10", |x| x.log10(), 0.7),
            ("sqrt", |x| x.sqrt(), 0.7),
            ("cbrt", |x| x.cbrt(), 0.7),
            ("recip", |x| x.recip(), 0.7),
            ("to_radians", |x| x.to_radians(), 0.7),
            ("to_degrees", |x| x.to_degrees(), 0.7),
            ("abs", |x| x.abs(), -0.7),
            ("fract", |x| x.fract(), 2.7),
            ("powi", |x| x.powi(3), 0.7),
            ("powf x", |x| x.powf(Dual::constant(2.5)), 0.7),
            ("powf y", |y| Dual::constant(1.7).powf(y), 0.7),
            ("log", |x| x.log(Dual::constant(3.0)), 0.7),
            ("atan2 y", |y| y.atan2(Dual::constant(0.4)), 0.7),
            ("atan2 x", |x| Dual::constant(0.4).atan2(x), 0.7),
            ("hypot", |x| x.hypot(Dual::constant(0.4)), 0.7),
            ("max", |x| x.max(Dual::constant(0.4)), 0.7),
            ("min", |x| x.min(Dual::constant(0.4)), 0.7),
            ("copysign", |x| x.copysign(Dual::constant(-1.0)), 0.7),
            ("midpoint", |x| x.midpoint(x * x), 0.7),
            ("mul_add", |x| x.mul_add(x, Dual::constant(2.0)), 0.7),
            ("div", |x| Dual::constant(1.5) / (x * x), 0.7),
            ("rem", |x| (x * 3.0) % Dual::constant(1.3), 0.7),
            (
                "rem_euclid x",
                |x| (x * -3.0).rem_euclid(Dual::constant(1.3)),
                0.7,
            ),
            ("rem_euclid y", |y| Dual::constant(-2.9).rem_euclid(y), 1.3),
            (
                "sum",
                |x| [x, x * x, Dual::constant(2.0)].into_iter().sum(),
                0.7,
            ),
        ];
        let c = Dual::constant;
        for (name, f, x) in cases {
            let h = 1e-6;
            let fd = (f(c(x + h)).value - f(c(x - h)).value) / (2.0 * h);
            let t = f(Dual::new(*x, 1.0)).tangent;
            assert!(
                (t - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "{name}: {t} vs {fd}"
            );
        }
    }

    #[test]
    fn comparisons_and_conversions_read_the_value() {
        let (a, b) = (Dual::new(1.0, 5.0), Dual::new(1.0, -5.0));
        assert!(a == b && a <= b && a.partial_cmp(&b) == Some(Ordering::Equal));
        assert_eq!(
            <Dual<f64> as NumCast>::from(3_i32).map(|d| d.value),
            Some(3.0)
        );
        assert_eq!(a.to_f64(), Some(1.0));
        assert_eq!(format!("{:?}", Dual::new(1.5, -2.0)), "1.5 + -2.0ε");
    }

    #[test]
    fn generic_float_code_runs_on_dual_numbers() {
        fn softplus<T: Float>(x: T) -> T {
            (T::one() + x.exp()).ln()
        }
        let y = softplus(Dual::new(0.3_f64, 1.0));
        let sigmoid = 1.0 / (1.0 + (-0.3_f64).exp());
        assert!((y.tangent - sigmoid).abs() < 1e-15);
    }
}
