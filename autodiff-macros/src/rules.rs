//! The derivative rules: ONE table row per primitive, the only place with derivative math.
//!
//! A row says how the primitive is written (method, operator) and, for each float operand, the
//! contribution `d_operand += ...` given the output's adjoint `d`. Which primal values an
//! adjoint reads is found by instantiating it (see `activity::reads`), never written twice.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::code::Code;
use crate::ir::Operand;

/// How a primitive is written in Rust.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// `a.name(b, ..)`, also `f64::name(a, b)` / `T::name(a, b)`.
    Method,
    /// `a <op> b`.
    Infix(&'static str),
    /// `-a`.
    Prefix(&'static str),
}

/// One contribution `d_x += ...`, written from a rule's operands and the output's adjoint.
pub type Contribution = fn(&Cx) -> TokenStream;

pub struct Rule {
    pub name: &'static str,
    pub form: Form,
    /// Float operands, receiver included.
    pub floats: usize,
    /// Trailing non-float arguments.
    pub others: usize,
    /// Piecewise constant (floor, round, ...): zero derivative, the output is never active.
    pub constant: bool,
    /// One contribution per float operand, multiplied by `d` already.
    pub adjoint: fn(&Cx) -> Vec<TokenStream>,
    /// The one contribution when every float operand is the same value (`x * x`), where the
    /// sum of `adjoint`'s would do the work twice.
    pub square: Option<Contribution>,
}

impl Rule {
    /// `square`, when the operands are one value (`x * x`), with that value.
    pub fn squared<'a>(&self, floats: &'a [Operand]) -> Option<(Contribution, &'a Operand)> {
        let (square, [first, rest @ ..]) = (self.square?, floats) else {
            return None;
        };
        let one = first.var().is_some() && rest.iter().all(|x| x.same(first));
        one.then_some((square, first))
    }

    /// Whether the adjoint can pass nothing on to an operand where the output's adjoint is not
    /// zero: the operand it does not pick (`max`, `min`, `clamp`), `abs` at 0.
    pub fn picks(&self) -> bool {
        matches!(self.name, "max" | "min" | "clamp" | "abs")
    }

    /// Whether the partials are finite numbers wherever the operands are (overflow aside).
    fn has_bounded_slope(&self) -> bool {
        self.constant
            || matches!(
                self.name,
                "add"
                    | "sub"
                    | "neg"
                    | "mul"
                    | "mul_add"
                    | "midpoint"
                    | "abs"
                    | "max"
                    | "min"
                    | "clamp"
                    | "sin"
                    | "cos"
                    | "tanh"
                    | "atan"
                    | "to_radians"
                    | "to_degrees"
                    | "fract"
                    | "copysign"
            )
    }

    /// Whether the output is a finite number wherever the operands are (overflow aside):
    /// these rules never make an infinity or a NaN out of finite numbers.
    pub fn keeps_finite(&self) -> bool {
        self.has_bounded_slope() || matches!(self.name, "atan2" | "hypot")
    }

    /// Whether a contribution can be infinite or NaN at a zero adjoint (`0 * inf`), given
    /// which operands may be infinite or NaN themselves: not for the additions, a division
    /// by a literal, or a rule of bounded slope on finite operands.
    pub fn may_blow_up(&self, floats: &[Operand], unbounded: impl Fn(&Operand) -> bool) -> bool {
        match self.name {
            "add" | "sub" | "neg" => false,
            "div" => !matches!(floats[1], Operand::Lit(_)),
            _ if self.constant => false,
            _ if self.has_bounded_slope() => floats.iter().any(unbounded),
            _ => true,
        }
    }

    /// Cheaper to recompute in a reverse loop iteration than to save: arithmetic and the
    /// piecewise functions (not the transcendental ones).
    pub fn is_cheap(&self) -> bool {
        !matches!(self.form, Form::Method)
            || self.constant
            || matches!(
                self.name,
                "abs"
                    | "max"
                    | "min"
                    | "clamp"
                    | "mul_add"
                    | "midpoint"
                    | "recip"
                    | "to_radians"
                    | "to_degrees"
            )
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// What a rule's adjoint is written in terms of.
pub struct Cx {
    /// The float operands.
    pub x: Vec<Code>,
    /// The non-float arguments.
    pub other: Vec<Code>,
    pub out: Code,
    /// The adjoint of the output.
    pub d: Code,
    /// Whether `d` is the same in every iteration of the loop around the operation (the
    /// adjoint of a term of an accumulator, `fusion::steady_adjoints`).
    pub d_is_steady: bool,
    /// The function's float type.
    pub float: Code,
    /// Whether it is a generic `T: Float` (literals then need a conversion).
    pub generic: bool,
    /// In `NAME_dual_adjoint`, the dual number type (`::autodiff::Dual::<f64>`): the operands
    /// are dual numbers, and so are the literals the rule writes.
    pub dual: Option<TokenStream>,
}

impl Cx {
    /// A float literal of the function's float type.
    pub fn lit(&self, value: f64) -> TokenStream {
        let l = float_literal(&self.float, self.generic, value);
        match &self.dual {
            Some(dual) => quote!(#dual::constant(#l)),
            None => l.into(),
        }
    }

    /// A constant of `core::f64::consts` (`"LN_2"`) in the function's float type (a dual
    /// number's, as literals are).
    pub fn constant(&self, name: &str) -> TokenStream {
        let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
        let f = &self.float;
        let c = if self.generic {
            quote!(::autodiff::__private::lit::<#f>(::core::f64::consts::#name))
        } else {
            quote!(::core::#f::consts::#name)
        };
        match &self.dual {
            Some(dual) => quote!(#dual::constant(#c)),
            None => c,
        }
    }

    /// An integer expression converted to the function's float type.
    pub fn int_to_float(&self, n: TokenStream) -> TokenStream {
        let f = &self.float;
        if self.generic {
            quote!(::autodiff::__private::from_int::<#f, _>(#n))
        } else {
            quote!((#n as #f))
        }
    }

    fn zero(&self) -> TokenStream {
        self.lit(0.0)
    }
}

/// Whether an operand is written as a number other than 0 (`2`, `-1`, `2.5`, `0.5_f32`).
fn is_nonzero_literal(operand: &Code) -> bool {
    let text: String = operand
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let number = ["_f64", "_f32", "f64", "f32", "_i32", "i32"]
        .iter()
        .fold(text.as_str(), |t, suffix| {
            t.strip_suffix(suffix).unwrap_or(t)
        });
    number.parse::<f64>().is_ok_and(|v| v != 0.0)
}

/// A float literal's digits with the float type's suffix: `2.5_f64`, `3.0_f32` for `3.`
/// (`3._f32` does not lex).
pub fn suffixed(digits: &str, float: &str) -> String {
    match digits.ends_with('.') {
        true => format!("{digits}0_{float}"),
        false => format!("{digits}_{float}"),
    }
}

/// `value` as a literal of the float type `float`: bare (`2.0`) for `f32`/`f64`, converted
/// for a generic `T: Float`, where a bare literal would not type-check.
pub fn float_literal(float: &impl quote::ToTokens, generic: bool, value: f64) -> Code {
    let l = proc_macro2::Literal::f64_unsuffixed(value);
    if generic {
        quote!(::autodiff::__private::lit::<#float>(#l)).into()
    } else {
        Code::Token(l.into())
    }
}

macro_rules! rule {
    ($name:literal, $form:expr, $floats:literal + $others:literal, |$cx:ident| $body:expr) => {
        Rule {
            name: $name,
            form: $form,
            floats: $floats,
            others: $others,
            constant: false,
            adjoint: |$cx: &Cx| $body,
            square: None,
        }
    };
}

macro_rules! unary {
    ($name:literal, |$cx:ident, $x:ident, $o:ident, $d:ident| $body:expr) => {
        rule!($name, Form::Method, 1 + 0, |$cx| {
            let ($x, $o, $d) = (&$cx.x[0], &$cx.out, &$cx.d);
            let _ = ($x, $o, $d);
            vec![$body]
        })
    };
}

macro_rules! constant {
    ($name:literal) => {
        constant!($name, 1)
    };
    ($name:literal, $floats:literal) => {
        Rule {
            name: $name,
            form: Form::Method,
            floats: $floats,
            others: 0,
            constant: true,
            adjoint: |_| Vec::new(),
            square: None,
        }
    };
}

pub static RULES: &[Rule] = &[
    // Arithmetic.
    rule!("add", Form::Infix("+"), 2 + 0, |cx| {
        let d = &cx.d;
        vec![quote!(#d), quote!(#d)]
    }),
    rule!("sub", Form::Infix("-"), 2 + 0, |cx| {
        let d = &cx.d;
        vec![quote!(#d), quote!(-#d)]
    }),
    Rule {
        // x * x: 2 x d, exactly. `(d + d) x` where `d` is steady (computed once before the
        // loop), `(x + x) d` otherwise, so that a negated `d` (`b - x * x`) folds into the
        // addition as `d_x -= (x + x) * d_t`.
        square: Some(|cx| {
            let (x, d) = (&cx.x[0], &cx.d);
            if cx.d_is_steady {
                quote!((#d + #d) * #x)
            } else {
                quote!((#x + #x) * #d)
            }
        }),
        ..rule!("mul", Form::Infix("*"), 2 + 0, |cx| {
            let (x, y, d) = (&cx.x[0], &cx.x[1], &cx.d);
            vec![quote!(#d * #y), quote!(#d * #x)]
        })
    },
    rule!("div", Form::Infix("/"), 2 + 0, |cx| {
        let (y, o, d) = (&cx.x[1], &cx.out, &cx.d);
        vec![quote!(#d / #y), quote!(-#d * #o / #y)]
    }),
    rule!("rem", Form::Infix("%"), 2 + 0, |cx| {
        // x % y = x - trunc(x / y) y, trunc(x / y) constant between the jumps.
        let (x, y, d) = (&cx.x[0], &cx.x[1], &cx.d);
        vec![quote!(#d), quote!(-#d * (#x / #y).trunc())]
    }),
    rule!("neg", Form::Prefix("-"), 1 + 0, |cx| {
        let d = &cx.d;
        vec![quote!(-#d)]
    }),
    // Exponentials and logarithms.
    unary!("exp", |cx, x, o, d| quote!(#d * #o)),
    unary!("exp2", |cx, x, o, d| {
        let ln2 = cx.constant("LN_2");
        quote!(#d * #o * #ln2)
    }),
    // `e^x`, not `exp_m1(x) + 1`, which is 0 where `e^x` is below half an ulp of 1 (x < -37).
    unary!("exp_m1", |cx, x, o, d| quote!(#d * (#x).exp())),
    unary!("ln", |cx, x, o, d| quote!(#d / #x)),
    unary!("ln_1p", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#x + #one))
    }),
    unary!("log10", |cx, x, o, d| {
        let ln10 = cx.constant("LN_10");
        quote!(#d / (#x * #ln10))
    }),
    unary!("log2", |cx, x, o, d| {
        let ln2 = cx.constant("LN_2");
        quote!(#d / (#x * #ln2))
    }),
    rule!("log", Form::Method, 2 + 0, |cx| {
        let (x, b, o, d) = (&cx.x[0], &cx.x[1], &cx.out, &cx.d);
        vec![
            quote!(#d / (#x * #b.ln())),
            quote!(-#d * #o / (#b * #b.ln())),
        ]
    }),
    // Powers and roots.
    unary!("sqrt", |cx, x, o, d| {
        let two = cx.lit(2.0);
        quote!(#d / (#two * #o))
    }),
    unary!("cbrt", |cx, x, o, d| {
        let three = cx.lit(3.0);
        quote!(#d / (#three * #o * #o))
    }),
    // `x^0` is 1 everywhere: its slope is 0, not `0 * 0^-1` (NaN) at 0; and `x^y` at 0 moves
    // with `y` by `0 * ln 0` (NaN) written out, 0 in the limit. A literal exponent needs no
    // such test.
    rule!("powi", Form::Method, 1 + 1, |cx| {
        let (x, n, d, zero) = (&cx.x[0], &cx.other[0], &cx.d, cx.zero());
        let n_float = cx.int_to_float(quote!(#n));
        let slope = quote!(#d * #n_float * #x.powi(#n - 1));
        vec![match is_nonzero_literal(n) {
            true => slope,
            false => quote!(if #n == 0 { #zero } else { #slope }),
        }]
    }),
    rule!("powf", Form::Method, 2 + 0, |cx| {
        let (x, y, o, d, zero) = (&cx.x[0], &cx.x[1], &cx.out, &cx.d, cx.zero());
        let one = cx.lit(1.0);
        let slope = quote!(#d * #y * #x.powf(#y - #one));
        vec![
            match is_nonzero_literal(y) {
                true => slope,
                false => quote!(if #y == #zero { #zero } else { #slope }),
            },
            quote!(if #o == #zero { #zero } else { #d * #o * #x.ln() }),
        ]
    }),
    unary!("recip", |cx, x, o, d| quote!(-#d * #o * #o)),
    // Angle units: a constant factor.
    unary!("to_radians", |cx, x, o, d| {
        let (pi, half_turn) = (cx.constant("PI"), cx.lit(180.0));
        quote!(#d * (#pi / #half_turn))
    }),
    unary!("to_degrees", |cx, x, o, d| {
        let (pi, half_turn) = (cx.constant("PI"), cx.lit(180.0));
        quote!(#d * (#half_turn / #pi))
    }),
    // Trigonometry.
    unary!("sin", |cx, x, o, d| quote!(#d * #x.cos())),
    unary!("cos", |cx, x, o, d| quote!(-#d * #x.sin())),
    unary!("tan", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d * (#one + #o * #o))
    }),
    unary!("asin", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#one - #x * #x).sqrt())
    }),
    unary!("acos", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(-#d / (#one - #x * #x).sqrt())
    }),
    unary!("atan", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#one + #x * #x))
    }),
    rule!("atan2", Form::Method, 2 + 0, |cx| {
        // atan2(y, x): the receiver is y.
        let (y, x, d) = (&cx.x[0], &cx.x[1], &cx.d);
        vec![
            quote!(#d * #x / (#x * #x + #y * #y)),
            quote!(-#d * #y / (#x * #x + #y * #y)),
        ]
    }),
    // Hyperbolic functions.
    unary!("sinh", |cx, x, o, d| quote!(#d * #x.cosh())),
    unary!("cosh", |cx, x, o, d| quote!(#d * #x.sinh())),
    unary!("tanh", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d * (#one - #o * #o))
    }),
    unary!("asinh", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#x * #x + #one).sqrt())
    }),
    unary!("acosh", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#x * #x - #one).sqrt())
    }),
    unary!("atanh", |cx, x, o, d| {
        let one = cx.lit(1.0);
        quote!(#d / (#one - #x * #x))
    }),
    // Kinks: abs'(0) = 0, ties of max/min follow the first argument, clamp at a bound
    // passes no gradient to the clamped value.
    unary!("abs", |cx, x, o, d| {
        let zero = cx.zero();
        match cx.dual {
            Some(_) => quote!(#x.abs_adjoint(#d)),
            None => quote!(if #x > #zero { #d } else if #x < #zero { -#d } else { #zero }),
        }
    }),
    rule!("max", Form::Method, 2 + 0, |cx| {
        let (x, y, d, zero) = (&cx.x[0], &cx.x[1], &cx.d, cx.zero());
        vec![
            // As `f64::max`: a NaN `y` gives `x`.
            quote!(if #x >= #y || #y.is_nan() { #d } else { #zero }),
            quote!(if #x >= #y || #y.is_nan() { #zero } else { #d }),
        ]
    }),
    rule!("min", Form::Method, 2 + 0, |cx| {
        let (x, y, d, zero) = (&cx.x[0], &cx.x[1], &cx.d, cx.zero());
        vec![
            quote!(if #x <= #y || #y.is_nan() { #d } else { #zero }),
            quote!(if #x <= #y || #y.is_nan() { #zero } else { #d }),
        ]
    }),
    rule!("clamp", Form::Method, 3 + 0, |cx| {
        let (x, lo, hi, d, zero) = (&cx.x[0], &cx.x[1], &cx.x[2], &cx.d, cx.zero());
        vec![
            quote!(if #lo < #x && #x < #hi { #d } else { #zero }),
            quote!(if #x <= #lo { #d } else { #zero }),
            quote!(if #x >= #hi && #x > #lo { #d } else { #zero }),
        ]
    }),
    // At the origin, 0 as for `abs` (`hypot(x, 0)` is `|x|`), not `0 / 0`.
    rule!("hypot", Form::Method, 2 + 0, |cx| {
        let (x, y, o, d, zero) = (&cx.x[0], &cx.x[1], &cx.out, &cx.d, cx.zero());
        vec![
            quote!(if #o == #zero { #zero } else { #d * #x / #o }),
            quote!(if #o == #zero { #zero } else { #d * #y / #o }),
        ]
    }),
    // x.rem_euclid(y) = x - q y with q the integer (x - out) / y, constant between the jumps.
    rule!("rem_euclid", Form::Method, 2 + 0, |cx| {
        let (x, y, o, d) = (&cx.x[0], &cx.x[1], &cx.out, &cx.d);
        vec![quote!(#d), quote!(-#d * ((#x - #o) / #y).round())]
    }),
    // fract(x) = x - trunc(x).
    unary!("fract", |cx, x, o, d| quote!(#d)),
    // copysign(x, y) = |x| sign(y): ±1 in x (0 at x = 0, as abs), nothing in y.
    rule!("copysign", Form::Method, 2 + 0, |cx| {
        let (x, o, d, zero) = (&cx.x[0], &cx.out, &cx.d, cx.zero());
        vec![
            quote!(if #x == #zero { #zero } else { #d * (#o / #x) }),
            zero,
        ]
    }),
    // x.midpoint(y) = (x + y) / 2, without overflow.
    rule!("midpoint", Form::Method, 2 + 0, |cx| {
        let (d, half) = (&cx.d, cx.lit(0.5));
        vec![quote!(#d * #half), quote!(#d * #half)]
    }),
    rule!("mul_add", Form::Method, 3 + 0, |cx| {
        let (x, a, d) = (&cx.x[0], &cx.x[1], &cx.d);
        vec![quote!(#d * #a), quote!(#d * #x), quote!(#d)]
    }),
    // Piecewise constant: zero derivative.
    constant!("floor"),
    constant!("ceil"),
    constant!("round"),
    constant!("round_ties_even"),
    constant!("trunc"),
    constant!("signum"),
    // The integer quotient: constant between its jumps, in both operands.
    constant!("div_euclid", 2),
];

/// The rule for a method or path-call name with `args` arguments after the receiver.
pub fn lookup(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.form == Form::Method && r.name == name)
}

/// The rule of an arithmetic operator on floats.
pub fn operator(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.form != Form::Method && r.name == name)
}

/// Names of the differentiable methods, for error messages.
pub fn method_names() -> String {
    RULES
        .iter()
        .filter(|r| r.form == Form::Method)
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The forward expression of a primitive.
/// `owner`: the type of a path form the user wrote (`f64::max(a, b)`), kept as written.
pub fn forward(
    rule: &Rule,
    owner: Option<&syn::Type>,
    floats: &[Code],
    others: &[Code],
) -> TokenStream {
    match rule.form {
        Form::Infix(op) => {
            let op: TokenStream = op.parse().unwrap_or_default();
            let (a, b) = (&floats[0], &floats[1]);
            quote!(#a #op #b)
        }
        Form::Prefix(op) => {
            let op: TokenStream = op.parse().unwrap_or_default();
            let a = &floats[0];
            quote!(#op #a)
        }
        Form::Method => {
            let name = syn::Ident::new(rule.name, proc_macro2::Span::call_site());
            match owner {
                Some(owner) => {
                    let args = floats.iter().chain(others);
                    quote!(#owner::#name(#(#args),*))
                }
                None => {
                    let (receiver, args) = (&floats[0], floats[1..].iter().chain(others));
                    quote!(#receiver.#name(#(#args),*))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operator_the_lowering_asks_for_has_a_row() {
        for name in ["add", "sub", "mul", "div", "rem", "neg"] {
            assert!(super::operator(name).is_some(), "no rule for `{name}`");
        }
    }
}
