#!/usr/bin/env python3
"""Writes the scratch crates of the compile-time benchmark (issue 10, item 5).

One seeded draw of 100 typical, varied `#[grad]` functions, written twice:

- `<out>/grad/`:  the functions with their `#[grad]` attributes;
- `<out>/plain/`: the same items with every `#[grad]` / `#[grad(..)]` line removed, nothing
  else changed (the model structs keep `#[derive(Params)]`, both crates depend on
  `autodiff`), so the difference between the two builds is the attribute's cost: expanding
  it, and type-checking and compiling the `_adjoint` / `_grad` items it writes.

The functions are shapes numeric code has: scalar formulas over float methods (f64, f32),
loops over slices and fixed arrays with accumulators, iterator chains, recurrences,
matrix-vector nests, branches, early returns, `match`, `while` and `loop`, calls between
`#[grad]` functions and to the runtime's primitives, models (`#[derive(Params)]` structs
passed as `&Model`), vector outputs (`-> [f64; N]`, `-> Vec<f64>`), generic `T: Float`
functions, `#[grad]` impl blocks (inherent and trait impls) and fallible functions. Sizes,
names, constants and formulas are drawn, so no two functions are copies.

Both crates are libraries whose functions are all `pub` (no dead code, every non-generic
function is code-generated); generic functions and the `_adjoint` of vector outputs are
code-generated through the concrete functions that call them. `#![deny(warnings)]` makes a
warning in either variant a build error.

Usage: python3 autodiff-bench/compile/generate.py [--out DIR] [--seed N] [--count N]
(run.py calls it; the default output is target/compile-bench/crates/ of the workspace.)
"""

import argparse
import os
import random
import re
import shutil
import string

# ---------------------------------------------------------------------------------------
# Names


class Names:
    """Unique snake_case and CamelCase names drawn from small vocabularies."""

    VERBS = [
        "smooth", "scaled", "damped", "shifted", "weighted", "soft", "robust", "mixed",
        "coupled", "warped", "bounded", "twisted", "folded", "rational", "periodic",
        "logistic", "radial", "quartic", "sharp", "lifted",
    ]
    NOUNS = [
        "energy", "penalty", "score", "response", "potential", "residual", "cost", "signal",
        "barrier", "kernel", "profile", "objective", "utility", "margin", "density", "flux",
        "tension", "drift", "yield", "spread",
    ]
    TYPES = [
        "Ridge", "Probe", "Sensor", "Tower", "Spring", "Valve", "Filter", "Cell", "Stage",
        "Panel", "Lens", "Coil", "Pump", "Rotor", "Gauge", "Basin",
    ]

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def _unique(self, base, sep="_"):
        name, k = base, 2
        while name in self.used:
            name = f"{base}{sep}{k}"
            k += 1
        self.used.add(name)
        return name

    def fn(self, hint=None):
        noun = hint or self.rng.choice(self.NOUNS)
        return self._unique(f"{self.rng.choice(self.VERBS)}_{noun}")

    def exact(self, base):
        return self._unique(base)

    def ty(self, hint=None):
        return self._unique(hint or self.rng.choice(self.TYPES), sep="")


# ---------------------------------------------------------------------------------------
# Expressions


LITS = [0.5, 1.5, 2.0, 0.25, 3.0, 0.1, 0.75, 4.0, 1.25, 0.2, 0.3, 5.0]


class Exprs:
    """Random float expressions over named variables, typed `f64`, `f32` or a generic `T`.

    Parentheses only where precedence needs them: `#![deny(warnings)]` rejects unused ones.
    """

    def __init__(self, rng, ty):
        self.rng = rng
        self.ty = ty
        self.consts = {}  # for `T`: value -> local name, defined at the top of the body

    def lit(self, v):
        if self.ty != "T":
            return repr(float(v))
        if v not in self.consts:
            self.consts[v] = f"c{len(self.consts)}"
        return self.consts[v]

    def const_lets(self, body, indent="    "):
        """`let c0 = T::from(0.5).unwrap();` for every constant a generic body reads."""
        return "".join(
            f"{indent}let {n} = T::from({v!r}).unwrap();\n"
            for v, n in self.consts.items()
            if reads(body, n)
        )

    def one(self):
        return self.lit(1.0)

    def leaf(self, vs):
        """(text, atomic): a variable, or a variable scaled or shifted by a constant."""
        v = self.rng.choice(vs)
        r = self.rng.random()
        if r < 0.25:
            return f"{self.lit(self.rng.choice(LITS))} * {v}", False
        if r < 0.35:
            return f"{v} - {self.lit(self.rng.choice(LITS))}", False
        return v, True

    def expr(self, vs, depth, must=()):
        """An expression over `vs` that reads every name in `must`."""
        text, atomic = self._expr(vs, max(depth, 1), top=True)
        for name in must:
            if not reads(text, name):
                text = f"{text} + {self.lit(self.rng.choice(LITS))} * {name}"
                atomic = False
        return text

    def _expr(self, vs, depth, top=False):
        rng = self.rng
        if depth <= 0 or (not top and rng.random() < 0.15):
            return self.leaf(vs)

        def sub():
            t, atomic = self._expr(vs, depth - 1)
            return t if atomic else f"({t})"

        def arg():
            return self._expr(vs, depth - 1)[0]

        kind = rng.random()
        if kind < 0.35:
            op = rng.choice(["+", "-", "*", "*", "+"])
            a, b = sub(), sub()
            if a == b:
                b = sub()
            return f"{a} {op} {b}", False
        if kind < 0.45:
            b = sub()
            return f"{sub()} / ({self.one()} + {b} * {b})", False
        if kind < 0.80:
            a = sub()
            one, lit = self.one(), self.lit(rng.choice(LITS))
            unary = [
                f"{a}.sin()", f"{a}.cos()", f"{a}.tanh()", f"({lit} * {a}).exp()",
                f"{a}.atan()", f"{a}.abs()", f"{a}.powi({rng.choice([2, 3])})",
                f"({a} * {a} + {one}).sqrt()", f"({one} + {a} * {a}).ln()",
                f"{a}.exp().ln_1p()", f"({one} + {a}.powi(2)).recip()", f"{a}.sinh()",
                f"({one} + {a}.abs()).powf({lit})", f"{a}.cbrt()",
            ]
            if self.ty == "f64":
                unary += [f"f64::exp(-{a}.abs())", f"{a}.clamp(-{lit}, {lit})"]
            if self.ty == "T":
                unary += [f"T::exp(-{a}.abs())"]
            return rng.choice(unary), True
        a = sub()
        b = self.leaf(vs)[0]
        c = self.leaf(vs)[0]
        binary = [
            f"{a}.max({b})", f"{a}.min({b})", f"{a}.hypot({b})", f"{a}.atan2({b})",
            f"{a}.mul_add({b}, {c})",
        ]
        if self.ty == "f64":
            binary.append(f"f64::max({arg()}, {b})")
        return rng.choice(binary), True


def lit(v):
    return repr(float(v))


def reads(text, name):
    """Whether the expression `text` reads the variable `name`."""
    return re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w(])", text) is not None


# ---------------------------------------------------------------------------------------
# Templates: each returns (rust items, number of #[grad] functions, imports it needs).
# `#[grad]` attributes always sit on lines of their own: the plain variant drops those lines.


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.names = Names(rng)

    def choice(self, xs):
        return self.rng.choice(xs)

    def size(self, lo, hi):
        return self.rng.randint(lo, hi)

    # ---- scalar formulas --------------------------------------------------------------

    def scalar(self, ty="f64"):
        rng = self.rng
        params = self.choice(
            [["x", "y"], ["x", "y", "z"], ["t", "s"], ["u", "v", "w"], ["mu", "sigma", "x"],
             ["a", "b", "c", "d"], ["r", "theta"], ["p", "q"]]
        )
        ex = Exprs(rng, ty)
        name = self.names.fn()
        vs = list(params)
        body = ""
        rhs = []
        for k in range(self.size(1, 4)):
            local = ["h", "g", "e", "k", "m"][k]
            rhs.append(ex.expr(vs, self.size(1, 3)))
            body += f"    let {local} = {rhs[-1]};\n"
            vs.append(local)
        # The tail reads every parameter and local nothing else read (no unused variables).
        unread = [v for v in vs if not any(reads(r, v) for r in rhs)]
        tail = ex.expr(vs[len(params):] + vs[: len(params)], 2, must=unread)
        generics = "<T: Float>" if ty == "T" else ""
        sig = ", ".join(f"{p}: {ty}" for p in params)
        doc = self.choice(["A closed-form", "A smooth", "A scalar", "A test"]) + " formula."
        consts = ex.const_lets(body + tail)
        return (
            f"/// {doc}\n#[grad]\npub fn {name}{generics}({sig}) -> {ty} {{\n"
            f"{consts}{body}    {tail}\n}}\n",
            1,
            {"grad", "Float"} if ty == "T" else {"grad"},
        )

    # ---- loops over slices ------------------------------------------------------------

    def slice_loop(self):
        rng = self.rng
        variant = self.choice(
            ["index", "zip", "fold", "enumerate", "recurrence", "windows", "lse", "moments",
             "chain"]
        )
        name = self.names.fn()
        ex = Exprs(rng, "f64")
        c = lit(self.choice(LITS))
        if variant == "index":
            e = ex.expr(["r", "x[i]"], 2, must=["r"])
            code = (
                f"/// A mean of a pointwise loss of the residuals w x - s.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], w: &[f64], s: f64) -> f64 {{\n"
                f"    let mut acc = 0.0;\n    for i in 0..x.len() {{\n"
                f"        let r = w[i] * x[i] - s;\n        acc += {e};\n    }}\n"
                f"    acc / x.len() as f64\n}}\n"
            )
        elif variant == "zip":
            e = ex.expr(["a", "b"], 2, must=["a", "b"])
            code = (
                f"/// A sum over paired entries.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], y: &[f64]) -> f64 {{\n"
                f"    x.iter().zip(y).map(|(&a, &b)| {e}).sum::<f64>()\n}}\n"
            )
        elif variant == "fold":
            e = ex.expr(["v"], 2, must=["v"])
            code = (
                f"/// A discounted fold.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], decay: f64) -> f64 {{\n"
                f"    x.iter().fold({c}, |acc, &v| acc * decay + {e})\n}}\n"
            )
        elif variant == "enumerate":
            e = ex.expr(["v", "scale"], 2, must=["v", "scale"])
            code = (
                f"/// Entries weighted by their position.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], scale: f64) -> f64 {{\n"
                f"    let mut total = 0.0;\n    for (i, &v) in x.iter().enumerate() {{\n"
                f"        total += (i as f64 + 1.0) * ({e});\n    }}\n    total\n}}\n"
            )
        elif variant == "recurrence":
            act = self.choice(["tanh", "sin", "atan"])
            code = (
                f"/// A scalar recurrence driven by the inputs (its states go on a tape).\n"
                f"#[grad]\npub fn {name}(h0: f64, w: &[f64], x: &[f64]) -> f64 {{\n"
                f"    let mut h = h0;\n    for t in 0..w.len() {{\n"
                f"        h = (h * w[t] + x[t]).{act}() + {c} * h;\n    }}\n    h * h\n}}\n"
            )
        elif variant == "windows":
            k = self.size(2, 3)
            if k == 2:
                term = f"(p[1] - p[0]).powi(2) + {c} * p[0].abs()"
            else:
                term = f"(p[2] - 2.0 * p[1] + p[0]).powi(2)"
            code = (
                f"/// A smoothness penalty over neighbouring entries.\n#[grad]\n"
                f"pub fn {name}(x: &[f64]) -> f64 {{\n"
                f"    x.windows({k}).map(|p| {term}).sum()\n}}\n"
            )
        elif variant == "lse":
            code = (
                f"/// A temperature-scaled log-sum-exp, shifted by the maximum.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], temperature: f64) -> f64 {{\n"
                f"    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);\n"
                f"    let s: f64 = x.iter().map(|v| ((v - m) / temperature).exp()).sum();\n"
                f"    m + temperature * s.ln()\n}}\n"
            )
        elif variant == "moments":
            code = (
                f"/// The variance of the entries plus {c} times their mean.\n#[grad]\n"
                f"pub fn {name}(x: &[f64]) -> f64 {{\n"
                f"    let n = x.len() as f64;\n    let mean = x.iter().sum::<f64>() / n;\n"
                f"    let mut var = 0.0;\n    for &v in x {{\n"
                f"        var += (v - mean) * (v - mean);\n    }}\n"
                f"    var / (n - 1.0) + {c} * mean\n}}\n"
            )
        else:
            e = ex.expr(["v"], 2, must=["v"])
            k = self.size(2, 3)
            code = (
                f"/// Every {k}th entry after the first, transformed.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], bias: f64) -> f64 {{\n"
                f"    x.iter()\n        .skip(1)\n        .step_by({k})\n"
                f"        .map(|&v| {e} + bias)\n        .filter(|v| *v > 0.0)\n"
                f"        .sum::<f64>()\n}}\n"
            )
        return code, 1, {"grad"}

    # ---- fixed-size arrays ------------------------------------------------------------

    def fixed_array(self):
        rng = self.rng
        variant = self.choice(["local", "destructure", "by_value", "table"])
        name = self.names.fn()
        ex = Exprs(rng, "f64")
        n = self.size(3, 9)
        if variant == "local":
            e = ex.expr(["x[i]", "c"], 2, must=["x[i]", "c"])
            code = (
                f"/// Transformed entries, then products of neighbours.\n#[grad]\n"
                f"pub fn {name}(x: &[f64; {n}], c: f64) -> f64 {{\n"
                f"    let mut y = [0.0; {n}];\n    for i in 0..{n} {{\n        y[i] = {e};\n    }}\n"
                f"    let mut s = y[0];\n    for i in 1..{n} {{\n        s += y[i] * y[i - 1];\n    }}\n"
                f"    s\n}}\n"
            )
        elif variant == "destructure":
            e1 = ex.expr(["a", "b", "c"], 2, must=["a", "b", "c"])
            e2 = ex.expr(["a", "b", "c"], 2)
            code = (
                f"/// A function of a point in space.\n#[grad]\n"
                f"pub fn {name}(p: &[f64; 3]) -> f64 {{\n    let [a, b, c] = *p;\n"
                f"    let first = {e1};\n    let second = {e2};\n"
                f"    first * first + second * second\n}}\n"
            )
        elif variant == "by_value":
            e = ex.expr(["v"], 2, must=["v"])
            code = (
                f"/// An array by value, reduced.\n#[grad]\n"
                f"pub fn {name}(x: [f64; {n}]) -> f64 {{\n"
                f"    x.iter().map(|&v| {e}).sum::<f64>() / {n}.0\n}}\n"
            )
        else:
            tname = self.names.exact(f"{name.upper()}_COEFFS")
            coeffs = ", ".join(lit(rng.choice(LITS) * rng.choice([1, -1])) for _ in range(n))
            code = (
                f"const {tname}: [f64; {n}] = [{coeffs}];\n\n"
                f"/// A polynomial with tabulated coefficients, by Horner's rule, on a scaled\n"
                f"/// argument.\n#[grad]\npub fn {name}(x: f64, scale: f64) -> f64 {{\n"
                f"    let t = x / scale;\n    let mut acc = 0.0;\n"
                f"    for &c in {tname}.iter().rev() {{\n        acc = acc * t + c;\n    }}\n"
                f"    acc\n}}\n"
            )
        return code, 1, {"grad"}

    # ---- matrix-vector nests ----------------------------------------------------------

    def matvec(self):
        variant = self.choice(["hidden", "quadratic", "trace", "batch"])
        name = self.names.fn()
        n, m = self.size(2, 8), self.size(2, 8)
        act = self.choice(["tanh", "sin", "atan"])
        if variant == "hidden":
            code = (
                f"/// ||{act}(W x + b)||^2 for a {n}x{m} matrix.\n#[grad]\n"
                f"pub fn {name}(w: &[[f64; {m}]; {n}], b: &[f64; {n}], x: &[f64; {m}]) -> f64 {{\n"
                f"    let mut h = [0.0; {n}];\n    for i in 0..{n} {{\n        let mut z = b[i];\n"
                f"        for j in 0..{m} {{\n            z += w[i][j] * x[j];\n        }}\n"
                f"        h[i] = z.{act}();\n    }}\n"
                f"    let mut s = 0.0;\n    for v in h.iter() {{\n        s += v * v;\n    }}\n    s\n}}\n"
            )
        elif variant == "quadratic":
            code = (
                f"/// The quadratic form x^T A x / 2 - c x.\n#[grad]\n"
                f"pub fn {name}(a: &[[f64; {n}]; {n}], x: &[f64; {n}], c: f64) -> f64 {{\n"
                f"    let mut q = 0.0;\n    for i in 0..{n} {{\n        let mut row = 0.0;\n"
                f"        for j in 0..{n} {{\n            row += a[i][j] * x[j];\n        }}\n"
                f"        q += 0.5 * x[i] * row - c * x[i];\n    }}\n    q\n}}\n"
            )
        elif variant == "trace":
            code = (
                f"/// The trace of A B.\n#[grad]\n"
                f"pub fn {name}(a: &[[f64; {m}]; {n}], b: &[[f64; {n}]; {m}]) -> f64 {{\n"
                f"    let mut t = 0.0;\n    for i in 0..{n} {{\n        for k in 0..{m} {{\n"
                f"            t += a[i][k] * b[k][i];\n        }}\n    }}\n    t\n}}\n"
            )
        else:
            bsz = self.size(3, 12)
            code = (
                f"/// A least-squares fit of {bsz} rows, with an L2 penalty.\n#[grad(w)]\n"
                f"pub fn {name}(w: &[f64; {m}], rows: &[[f64; {m}]; {bsz}], y: &[f64; {bsz}], lambda: f64) -> f64 {{\n"
                f"    let mut s = 0.0;\n    for (r, row) in rows.iter().enumerate() {{\n"
                f"        let mut z = 0.0;\n        for j in 0..{m} {{\n            z += row[j] * w[j];\n        }}\n"
                f"        s += (z - y[r]).powi(2);\n    }}\n"
                f"    let mut reg = 0.0;\n    for v in w {{\n        reg += v * v;\n    }}\n"
                f"    s / {bsz}.0 + lambda * reg\n}}\n"
            )
        return code, 1, {"grad"}

    # ---- branches, early returns, match -----------------------------------------------

    def branch(self):
        rng = self.rng
        variant = self.choice(["huber", "piecewise", "match", "early", "guard", "andor",
                               "continue"])
        name = self.names.fn()
        ex = Exprs(rng, "f64")
        c = lit(self.choice(LITS))
        if variant == "huber":
            code = (
                f"/// The Huber loss of a prediction.\n#[grad]\n"
                f"pub fn {name}(pred: f64, target: f64, delta: f64) -> f64 {{\n"
                f"    let r = pred - target;\n    if r.abs() <= delta {{\n        0.5 * r * r\n"
                f"    }} else {{\n        delta * (r.abs() - 0.5 * delta)\n    }}\n}}\n"
            )
        elif variant == "piecewise":
            es = [ex.expr(["x", "k"], 2) for _ in range(3)]
            code = (
                f"/// A piecewise definition.\n#[grad]\n"
                f"pub fn {name}(x: f64, k: f64) -> f64 {{\n"
                f"    let y = if x < -{c} {{\n        {es[0]}\n    }} else if x < {c} {{\n"
                f"        {es[1]}\n    }} else {{\n        {es[2]}\n    }};\n    y * k\n}}\n"
            )
        elif variant == "match":
            es = [ex.expr(["x", "y"], 2) for _ in range(3)]
            code = (
                f"/// One of three formulas, chosen by `kind`.\n#[grad]\n"
                f"pub fn {name}(x: f64, y: f64, kind: usize) -> f64 {{\n"
                f"    let v = match kind % 3 {{\n        0 => {es[0]},\n        1 => {es[1]},\n"
                f"        _ => {es[2]},\n    }};\n    v + x * y\n}}\n"
            )
        elif variant == "early":
            e = ex.expr(["x[i]", "acc"], 2, must=["x[i]"])
            code = (
                f"/// Accumulates until the total passes `limit`.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], limit: f64) -> f64 {{\n    let mut acc = 0.0;\n"
                f"    for i in 0..x.len() {{\n        if acc > limit {{\n            return acc * {c};\n"
                f"        }}\n        acc += {e};\n    }}\n    acc\n}}\n"
            )
        elif variant == "guard":
            e = ex.expr(["x", "s"], 2)
            code = (
                f"/// Zero outside the support.\n#[grad]\n"
                f"pub fn {name}(x: f64, s: f64) -> f64 {{\n    if s <= 0.0 || x < 0.0 {{\n"
                f"        return 0.0;\n    }}\n    let z = x / s;\n    z.ln_1p() * ({e})\n}}\n"
            )
        elif variant == "andor":
            e1 = ex.expr(["x", "y"], 2)
            e2 = ex.expr(["x", "y"], 2)
            code = (
                f"/// Two regimes, split by a compound condition.\n#[grad]\n"
                f"pub fn {name}(x: f64, y: f64) -> f64 {{\n    let mut out = {e1};\n"
                f"    if x > 0.0 && y < {c} {{\n        out *= {e2};\n    }}\n    out\n}}\n"
            )
        else:
            e = ex.expr(["v", "w"], 2, must=["v", "w"])
            code = (
                f"/// Skips negative entries.\n#[grad]\n"
                f"pub fn {name}(x: &[f64], w: f64) -> f64 {{\n    let mut s = 0.0;\n"
                f"    for &v in x.iter() {{\n        if v < 0.0 {{\n            continue;\n        }}\n"
                f"        s += {e};\n    }}\n    s\n}}\n"
            )
        return code, 1, {"grad"}

    # ---- while and loop ---------------------------------------------------------------

    def iterate(self):
        variant = self.choice(["series", "newton", "float_cond"])
        name = self.names.fn()
        c = lit(self.choice(LITS))
        if variant == "series":
            code = (
                f"/// A truncated exponential series.\n#[grad]\n"
                f"pub fn {name}(x: f64, terms: usize) -> f64 {{\n"
                f"    let mut term = 1.0;\n    let mut sum = 1.0;\n    let mut k = 0;\n"
                f"    while k < terms {{\n        term *= x / (k as f64 + 1.0);\n"
                f"        sum += term;\n        k += 1;\n    }}\n    sum\n}}\n"
            )
        elif variant == "newton":
            code = (
                f"/// A fixed number of Newton steps for the square root of `a`.\n#[grad]\n"
                f"pub fn {name}(a: f64, steps: usize) -> f64 {{\n"
                f"    let mut y = 0.5 * (a + 1.0);\n    let mut i = 0;\n    loop {{\n"
                f"        y = 0.5 * (y + a / y);\n        i += 1;\n        if i >= steps {{\n"
                f"            break;\n        }}\n    }}\n    y\n}}\n"
            )
        else:
            code = (
                f"/// Steps a damped state until it settles (at most 100 steps).\n#[grad]\n"
                f"pub fn {name}(x0: f64, rate: f64) -> f64 {{\n"
                f"    let mut x = x0;\n    let mut k = 0;\n"
                f"    while x.abs() > 1e-3 && k < 100 {{\n        x -= rate * (x + {c} * x.powi(3));\n"
                f"        k += 1;\n    }}\n    x + x0 * rate\n}}\n"
            )
        return code, 1, {"grad"}

    # ---- calls between #[grad] functions ----------------------------------------------

    def calls(self):
        variant = self.choice(["mixture", "cosine", "rows", "primitives", "chain"])
        if variant == "mixture":
            g, f = self.names.fn("bump"), self.names.fn("mixture")
            code = (
                f"/// An unnormalized Gaussian bump.\n#[grad]\n"
                f"pub fn {g}(x: f64, mu: f64, s: f64) -> f64 {{\n"
                f"    let z = (x - mu) / s;\n    (-0.5 * z * z).exp() / s\n}}\n\n"
                f"/// The log of a mixture of bumps.\n#[grad]\n"
                f"pub fn {f}(x: f64, weights: &[f64], mu: &[f64], s: f64) -> f64 {{\n"
                f"    let mut p = 0.0;\n    for k in 0..weights.len() {{\n"
                f"        p += weights[k] * {g}(x, mu[k], s);\n    }}\n    p.ln()\n}}\n"
            )
            return code, 2, {"grad"}
        if variant == "cosine":
            g, f = self.names.fn("dot"), self.names.fn("cosine")
            code = (
                f"/// The dot product.\n#[grad]\n"
                f"pub fn {g}(a: &[f64], b: &[f64]) -> f64 {{\n    let mut s = 0.0;\n"
                f"    for i in 0..a.len() {{\n        s += a[i] * b[i];\n    }}\n    s\n}}\n\n"
                f"/// The cosine similarity, from three dot products.\n#[grad]\n"
                f"pub fn {f}(a: &[f64], b: &[f64]) -> f64 {{\n"
                f"    {g}(a, b) / ({g}(a, a) * {g}(b, b)).sqrt()\n}}\n"
            )
            return code, 2, {"grad"}
        if variant == "rows":
            n, m = self.size(2, 6), self.size(2, 6)
            g, f = self.names.fn("unit"), self.names.fn("layer")
            act = self.choice(["tanh", "sin"])
            code = (
                f"/// One unit: {act} of a row times the input.\n#[grad]\n"
                f"pub fn {g}(w: &[f64; {m}], x: &[f64; {m}]) -> f64 {{\n    let mut z = 0.0;\n"
                f"    for j in 0..{m} {{\n        z += w[j] * x[j];\n    }}\n    z.{act}()\n}}\n\n"
                f"/// A layer of {n} units, read out by v.\n#[grad]\n"
                f"pub fn {f}(w: &[[f64; {m}]; {n}], v: &[f64; {n}], x: &[f64; {m}]) -> f64 {{\n"
                f"    let mut out = 0.0;\n    for j in 0..{n} {{\n"
                f"        out += v[j] * {g}(&w[j], x);\n    }}\n    out\n}}\n"
            )
            return code, 2, {"grad"}
        if variant == "primitives":
            f = self.names.fn("logit_loss")
            k = self.size(2, 10)
            act = self.choice(["activation::sigmoid(z)", "activation::softplus(z)",
                               "activation::relu(z)"])
            code = (
                f"/// A logistic loss of an activated linear score.\n#[grad(w, b)]\n"
                f"pub fn {f}(w: &[f64; {k}], b: f64, x: &[f64; {k}], y: f64) -> f64 {{\n"
                f"    let mut z = b;\n    for j in 0..{k} {{\n        z += w[j] * x[j];\n    }}\n"
                f"    let a = {act};\n    loss::bce_with_logits(a - 0.5, y)\n}}\n"
            )
            return code, 1, {"grad", "activation", "loss"}
        a, b, c = self.names.fn("inner"), self.names.fn("middle"), self.names.fn("outer")
        ex = Exprs(self.rng, "f64")
        e = ex.expr(["x", "y"], 2, must=["x", "y"])
        code = (
            f"/// The innermost formula.\n#[grad]\npub fn {a}(x: f64, y: f64) -> f64 {{\n    {e}\n}}\n\n"
            f"/// Applies the inner formula twice.\n#[grad]\n"
            f"pub fn {b}(x: f64, y: f64) -> f64 {{\n    let t = {a}(x, y);\n    {a}(t, x) + t\n}}\n\n"
            f"/// Sums the middle formula over a slice.\n#[grad]\n"
            f"pub fn {c}(xs: &[f64], y: f64) -> f64 {{\n    let mut s = 0.0;\n"
            f"    for &x in xs {{\n        s += {b}(x, y);\n    }}\n    s\n}}\n"
        )
        return code, 3, {"grad"}

    # ---- models -----------------------------------------------------------------------

    def model(self):
        variant = self.choice(["linear", "mlp", "nested", "vecfield", "config"])
        if variant == "linear":
            t = self.names.ty("Linear")
            k, bsz = self.size(2, 12), self.size(4, 16)
            p, l, bl = self.names.fn("predict"), self.names.fn("loss"), self.names.fn("batch_loss")
            code = (
                f"#[derive(Clone, Debug, Params)]\npub struct {t} {{\n    pub w: [f64; {k}],\n    pub b: f64,\n}}\n\n"
                f"/// The linear prediction w x + b.\n#[grad]\n"
                f"pub fn {p}(m: &{t}, x: &[f64; {k}]) -> f64 {{\n    let mut z = m.b;\n"
                f"    for j in 0..{k} {{\n        z += m.w[j] * x[j];\n    }}\n    z\n}}\n\n"
                f"/// The squared error of one example.\n#[grad(m)]\n"
                f"pub fn {l}(m: &{t}, x: &[f64; {k}], y: f64) -> f64 {{\n    loss::mse({p}(m, x), y)\n}}\n\n"
                f"/// The mean squared error of a batch of {bsz}.\n#[grad(m)]\n"
                f"pub fn {bl}(m: &{t}, xs: &[[f64; {k}]; {bsz}], ys: &[f64; {bsz}]) -> f64 {{\n"
                f"    let mut total = 0.0;\n    for i in 0..{bsz} {{\n        total += {l}(m, &xs[i], ys[i]);\n    }}\n"
                f"    total / {bsz}.0\n}}\n"
            )
            return code, 3, {"grad", "Params", "loss"}
        if variant == "mlp":
            t = self.names.ty("Mlp")
            i, h = self.size(2, 8), self.size(3, 16)
            act = self.choice(["tanh", "sin"])
            lg, l = self.names.fn("logit"), self.names.fn("bce")
            code = (
                f"#[derive(Clone, Debug, Params)]\npub struct {t} {{\n    pub w1: [[f64; {i}]; {h}],\n"
                f"    pub b1: [f64; {h}],\n    pub w2: [f64; {h}],\n    pub b2: f64,\n}}\n\n"
                f"/// {i} inputs, {h} {act} units, one logit.\n#[grad]\n"
                f"pub fn {lg}(net: &{t}, x: &[f64; {i}]) -> f64 {{\n    let mut z = net.b2;\n"
                f"    for j in 0..{h} {{\n        let mut a = net.b1[j];\n        for k in 0..{i} {{\n"
                f"            a += net.w1[j][k] * x[k];\n        }}\n        z += net.w2[j] * a.{act}();\n    }}\n    z\n}}\n\n"
                f"/// The binary cross-entropy of one example.\n#[grad(net)]\n"
                f"pub fn {l}(net: &{t}, x: &[f64; {i}], y: f64) -> f64 {{\n"
                f"    loss::bce_with_logits({lg}(net, x), y)\n}}\n"
            )
            return code, 2, {"grad", "Params", "loss"}
        if variant == "nested":
            inner, outer = self.names.ty("Unit"), self.names.ty("Pair")
            k = self.size(2, 8)
            u, s = self.names.fn("unit_out"), self.names.fn("pair_score")
            code = (
                f"#[derive(Clone, Debug, Params)]\npub struct {inner} {{\n    pub w: [f64; {k}],\n    pub b: f64,\n}}\n\n"
                f"#[derive(Clone, Debug, Params)]\npub struct {outer} {{\n    pub left: {inner},\n"
                f"    pub right: {inner},\n    pub mix: [f64; 2],\n}}\n\n"
                f"/// A softplus unit.\n#[grad]\n"
                f"pub fn {u}(u: &{inner}, x: &[f64; {k}]) -> f64 {{\n"
                f"    let z = u.w.iter().zip(x).fold(u.b, |acc, (w, v)| acc + w * v);\n"
                f"    activation::softplus(z)\n}}\n\n"
                f"/// Two units mixed, their weights shrunk toward zero.\n#[grad(m)]\n"
                f"pub fn {s}(m: &{outer}, x: &[f64; {k}], decay: f64) -> f64 {{\n"
                f"    let a = {u}(&m.left, x);\n    let b = {u}(&m.right, x);\n"
                f"    let mut reg = 0.0;\n    for j in 0..{k} {{\n"
                f"        reg += m.left.w[j] * m.left.w[j] + m.right.w[j] * m.right.w[j];\n    }}\n"
                f"    m.mix[0] * a + m.mix[1] * b * a + decay * reg\n}}\n"
            )
            return code, 2, {"grad", "Params", "activation"}
        if variant == "vecfield":
            t = self.names.ty("Poly")
            f = self.names.fn("fit")
            c = lit(self.choice(LITS))
            code = (
                f"#[derive(Clone, Debug, Params)]\npub struct {t} {{\n    pub coeffs: Vec<f64>,\n    pub scale: f64,\n}}\n\n"
                f"/// A polynomial with a learned scale, its squared error on samples.\n#[grad(m)]\n"
                f"pub fn {f}(m: &{t}, xs: &[f64], ys: &[f64]) -> f64 {{\n    let mut err = 0.0;\n"
                f"    for i in 0..xs.len() {{\n        let mut p = 0.0;\n"
                f"        for c in m.coeffs.iter().rev() {{\n            p = p * xs[i] + c;\n        }}\n"
                f"        err += (m.scale * p - ys[i]).powi(2);\n    }}\n    err + {c} * m.scale.abs()\n}}\n"
            )
            return code, 1, {"grad", "Params"}
        t = self.names.ty("Settings")
        f = self.names.fn("objective")
        ex = Exprs(self.rng, "f64")
        e = ex.expr(["x", "cfg.scale"], 2)
        code = (
            f"pub struct {t} {{\n    pub scale: f64,\n    pub offsets: [f64; 2],\n    pub clip: bool,\n}}\n\n"
            f"/// An objective whose settings are data.\n#[grad(x)]\n"
            f"pub fn {f}(x: f64, cfg: &{t}) -> f64 {{\n"
            f"    let shifted = x - cfg.offsets[0] * cfg.offsets[1];\n"
            f"    let v = {e} + shifted * shifted;\n"
            f"    if cfg.clip {{\n        v.min(10.0)\n    }} else {{\n        v\n    }}\n}}\n"
        )
        return code, 1, {"grad"}

    # ---- vector outputs ---------------------------------------------------------------

    def vector_output(self):
        variant = self.choice(["residual", "layers", "vec"])
        if variant == "residual":
            r, f = self.names.fn("residuals"), self.names.fn("least_squares")
            ex = Exprs(self.rng, "f64")
            m = self.size(2, 5)
            rows = ",\n        ".join(ex.expr(["p[0]", "p[1]", "p[2]"], 2) for _ in range(m))
            code = (
                f"/// {m} residuals of a point: a map from R^3 to R^{m}.\n#[grad]\n"
                f"pub fn {r}(p: &[f64; 3]) -> [f64; {m}] {{\n    [\n        {rows},\n    ]\n}}\n\n"
                f"/// Half the squared norm of the residuals.\n#[grad]\n"
                f"pub fn {f}(p: &[f64; 3]) -> f64 {{\n    let r = {r}(p);\n    let mut s = 0.0;\n"
                f"    for v in r.iter() {{\n        s += v * v;\n    }}\n    0.5 * s\n}}\n"
            )
            return code, 2, {"grad"}
        if variant == "vec":
            f, g = self.names.fn("standardized"), self.names.fn("spread_loss")
            code = (
                f"/// The entries, centered and scaled.\n#[grad]\n"
                f"pub fn {f}(x: &[f64], center: f64, scale: f64) -> Vec<f64> {{\n"
                f"    x.iter().map(|v| (v - center) / scale).collect()\n}}\n\n"
                f"/// A robust spread of the standardized entries.\n#[grad]\n"
                f"pub fn {g}(x: &[f64], center: f64, scale: f64) -> f64 {{\n"
                f"    let z = {f}(x, center, scale);\n    let mut s = 0.0;\n"
                f"    for i in 0..z.len() {{\n        s += (1.0 + z[i] * z[i]).ln();\n    }}\n    s\n}}\n"
            )
            return code, 2, {"grad"}
        layer, net = self.names.ty("Dense"), self.names.ty("Classifier")
        i, h, c = self.size(2, 8), self.size(3, 12), self.size(2, 5)
        d, a, lg, l = (self.names.fn("dense"), self.names.fn("activate"),
                       self.names.fn("logits"), self.names.fn("cross_entropy"))
        act = self.choice(["tanh", "sin", "atan"])
        code = (
            f"#[derive(Clone, Debug, Params)]\npub struct {layer}<const I: usize, const O: usize> {{\n"
            f"    pub w: [[f64; O]; I],\n    pub b: [f64; O],\n}}\n\n"
            f"#[derive(Clone, Debug, Params)]\npub struct {net} {{\n    pub hidden: {layer}<{i}, {h}>,\n"
            f"    pub out: {layer}<{h}, {c}>,\n}}\n\n"
            f"/// x W + b.\n#[grad]\n"
            f"pub fn {d}<const I: usize, const O: usize>(l: &{layer}<I, O>, x: &[f64; I]) -> [f64; O] {{\n"
            f"    let mut z = l.b;\n    for i in 0..I {{\n        for o in 0..O {{\n"
            f"            z[o] += x[i] * l.w[i][o];\n        }}\n    }}\n    z\n}}\n\n"
            f"/// {act} of every unit.\n#[grad]\n"
            f"pub fn {a}<const N: usize>(z: &[f64; N]) -> [f64; N] {{\n    let mut out = [0.0; N];\n"
            f"    for j in 0..N {{\n        out[j] = z[j].{act}();\n    }}\n    out\n}}\n\n"
            f"/// {i} inputs, {h} hidden units, {c} classes.\n#[grad]\n"
            f"pub fn {lg}(net: &{net}, x: &[f64; {i}]) -> [f64; {c}] {{\n"
            f"    let h = {a}(&{d}(&net.hidden, x));\n    {d}(&net.out, &h)\n}}\n\n"
            f"/// The softmax cross-entropy of one example.\n#[grad(net)]\n"
            f"pub fn {l}(net: &{net}, x: &[f64; {i}], class: usize) -> f64 {{\n"
            f"    loss::softmax_cross_entropy(&{lg}(net, x), class)\n}}\n"
        )
        return code, 4, {"grad", "Params", "loss"}

    # ---- generic T: Float -------------------------------------------------------------

    def generic(self):
        variant = self.choice(["norm", "formula", "sum"])
        if variant == "formula":
            code, n, imports = self.scalar("T")
            return code, n, imports
        if variant == "norm":
            g, f = self.names.fn("norm"), self.names.fn("norm_f64")
            c = self.choice(LITS)
            code = (
                f"/// A smoothed p-norm, in any float type.\n#[grad]\n"
                f"pub fn {g}<T: Float>(x: &[T], p: T) -> T {{\n    let eps = T::from(1e-8).unwrap();\n"
                f"    let mut s = T::zero();\n    for &v in x {{\n        s = s + (v * v + eps).sqrt().powf(p);\n    }}\n"
                f"    s.powf(p.recip())\n}}\n\n"
                f"/// The smoothed {lit(c + 1.0)}-norm in f64.\n#[grad]\n"
                f"pub fn {f}(x: &[f64]) -> f64 {{\n    {g}(x, {lit(c + 1.0)})\n}}\n"
            )
            return code, 2, {"grad", "Float"}
        g, f = self.names.fn("sphere"), self.names.fn("sphere_f32")
        code = (
            f"/// A shifted sphere function, in any float type that sums.\n#[grad]\n"
            f"pub fn {g}<T: Float + std::iter::Sum>(x: &[T], shift: T) -> T {{\n"
            f"    let half = T::from(0.5).unwrap();\n"
            f"    half * x.iter().map(|&v| (v - shift) * (v - shift)).sum::<T>() / T::from(x.len()).unwrap()\n}}\n\n"
            f"/// The sphere function in f32.\n#[grad]\n"
            f"pub fn {f}(x: &[f32], shift: f32) -> f32 {{\n    {g}(x, shift) + shift * shift\n}}\n"
        )
        return code, 2, {"grad", "Float"}

    # ---- impl blocks ------------------------------------------------------------------

    def impl_block(self):
        variant = self.choice(["inherent", "trait", "generic"])
        if variant == "inherent":
            t = self.names.ty("Dist")
            code = (
                f"#[derive(Clone, Debug, Params)]\npub struct {t} {{\n    pub location: f64,\n    pub scale: f64,\n}}\n\n"
                f"#[grad(self, x)]\nimpl {t} {{\n"
                f"    /// The log-density of a logistic distribution.\n"
                f"    pub fn ln_pdf(&self, x: f64) -> f64 {{\n"
                f"        let z = (x - self.location) / self.scale;\n"
                f"        -z - 2.0 * (-z).exp().ln_1p() - self.scale.ln()\n    }}\n\n"
                f"    /// Its distribution function.\n"
                f"    pub fn cdf(&self, x: f64) -> f64 {{\n"
                f"        1.0 / (1.0 + (-(x - self.location) / self.scale).exp())\n    }}\n\n"
                f"    /// Its name.\n    pub fn name(&self) -> &'static str {{\n        \"logistic\"\n    }}\n}}\n"
            )
            return code, 2, {"grad", "Params"}
        if variant == "trait":
            tr, t = self.names.ty("Potential"), self.names.ty("Spring")
            k = lit(self.choice(LITS))
            code = (
                f"pub trait {tr} {{\n    fn energy(&self, x: &[f64; 2]) -> f64;\n"
                f"    fn force_scale(&self, x: &[f64; 2]) -> f64;\n    fn label(&self) -> String;\n}}\n\n"
                f"#[derive(Clone, Debug, Params)]\npub struct {t} {{\n    pub stiffness: f64,\n    pub rest: f64,\n}}\n\n"
                f"#[grad(self, x)]\nimpl {tr} for {t} {{\n"
                f"    fn energy(&self, x: &[f64; 2]) -> f64 {{\n"
                f"        let len = x[0].hypot(x[1]);\n"
                f"        0.5 * self.stiffness * (len - self.rest).powi(2)\n    }}\n\n"
                f"    fn force_scale(&self, x: &[f64; 2]) -> f64 {{\n"
                f"        let len = (x[0] * x[0] + x[1] * x[1] + {k}).sqrt();\n"
                f"        self.stiffness * (1.0 - self.rest / len)\n    }}\n\n"
                f"    fn label(&self) -> String {{\n        format!(\"spring k={{}}\", self.stiffness)\n    }}\n}}\n"
            )
            return code, 2, {"grad", "Params"}
        t = self.names.ty("Decay")
        code = (
            f"#[derive(Clone, Debug, Params)]\npub struct {t}<T> {{\n    pub rate: T,\n}}\n\n"
            f"#[grad]\nimpl<T: Float> {t}<T> {{\n"
            f"    /// An exponential log-density, -inf outside the support.\n"
            f"    #[grad(self, x)]\n    pub fn ln_pdf(&self, x: T) -> T {{\n"
            f"        if x < T::zero() {{\n            return T::neg_infinity();\n        }}\n"
            f"        self.rate.ln() - self.rate * x\n    }}\n\n"
            f"    /// The mean.\n    #[grad(self)]\n    pub fn mean(&self) -> T {{\n        self.rate.recip()\n    }}\n}}\n"
        )
        return code, 2, {"grad", "Float", "Params"}

    # ---- fallible ---------------------------------------------------------------------

    def fallible(self):
        name = self.names.fn("checked")
        if self.rng.random() < 0.5:
            code = (
                f"/// Validates its parameters, then a scaled logarithm.\n#[grad]\n"
                f"pub fn {name}(x: f64, scale: f64) -> Result<f64, String> {{\n"
                f"    if scale <= 0.0 {{\n        return Err(format!(\"scale must be positive, got {{scale}}\"));\n    }}\n"
                f"    if x <= 0.0 {{\n        return Err(format!(\"x must be positive, got {{x}}\"));\n    }}\n"
                f"    Ok((x / scale).ln() * scale)\n}}\n"
            )
        else:
            code = (
                f"/// The mean of the square roots, none for an empty or negative input.\n#[grad]\n"
                f"pub fn {name}(x: &[f64]) -> Option<f64> {{\n    if x.is_empty() {{\n        return None;\n    }}\n"
                f"    let mut s = 0.0;\n    for &v in x {{\n        if v < 0.0 {{\n            return None;\n        }}\n"
                f"        s += v.sqrt();\n    }}\n    Some(s / x.len() as f64)\n}}\n"
            )
        return code, 1, {"grad"}


# How many #[grad] functions each family contributes, roughly (multi-function templates
# round up), and the order they are drawn in.
PLAN = [
    ("scalar", 12), ("scalar_f32", 4), ("slice_loop", 14), ("fixed_array", 7),
    ("matvec", 7), ("branch", 10), ("iterate", 4), ("calls", 11), ("model", 11),
    ("vector_output", 8), ("generic", 6), ("impl_block", 4), ("fallible", 2),
]
# Families of one function each, drawn from to reach the count exactly.
SINGLE = ["scalar", "slice_loop", "fixed_array", "matvec", "branch", "iterate"]


def draw(seed, count, only=None):
    """The items, grouped into modules of about ten functions: [(module, [(code, imports)])].

    `only`: a list of families to draw from (all of them by default)."""
    rng = random.Random(seed)
    gen = Gen(rng)
    families = {
        "scalar": gen.scalar, "scalar_f32": lambda: gen.scalar("f32"),
        "slice_loop": gen.slice_loop, "fixed_array": gen.fixed_array, "matvec": gen.matvec,
        "branch": gen.branch, "iterate": gen.iterate, "calls": gen.calls, "model": gen.model,
        "vector_output": gen.vector_output, "generic": gen.generic,
        "impl_block": gen.impl_block, "fallible": gen.fallible,
    }
    plan = PLAN if only is None else [(f, n) for f, n in PLAN if f in only]
    unknown = set(only or []) - set(families)
    if unknown or not plan:
        raise SystemExit(f"unknown families {sorted(unknown)}; known: {', '.join(families)}")
    fill = SINGLE if only is None else [f for f, _ in plan]
    items, total, attempts = [], 0, 0
    scale = count / sum(n for _, n in plan)
    for family, n in plan:
        got = 0
        while got < round(n * scale) and total < count:
            code, k, imports = families[family]()
            if total + k > count:
                break
            items.append((code, imports, k))
            got += k
            total += k
    while total < count:
        code, k, imports = families[rng.choice(fill)]()
        if total + k > count:  # a multi-function template of a restricted draw: draw again
            attempts += 1
            if attempts > 1000:
                raise SystemExit(f"cannot draw exactly {count} functions from {only}")
            continue
        items.append((code, imports, k))
        total += k
    assert total == count, (total, count)
    rng.shuffle(items)
    modules, current, in_current = [], [], 0
    for code, imports, k in items:
        current.append((code, imports))
        in_current += k
        if in_current >= 10:
            modules.append(current)
            current, in_current = [], 0
    if current:
        modules.append(current)
    return [(f"m{i:02}", m) for i, m in enumerate(modules)]


GRAD_LINE = re.compile(r"^\s*#\[grad(\(.*\))?\]\s*$")


def strip_grad(code):
    return "".join(line for line in code.splitlines(keepends=True) if not GRAD_LINE.match(line))


def use_line(imports, with_grad):
    names = sorted(i for i in imports if with_grad or i != "grad")
    if not names:
        return ""
    if len(names) == 1:
        return f"use autodiff::{names[0]};\n\n"
    return f"use autodiff::{{{', '.join(names)}}};\n\n"


def write_crate(root, variant, modules, autodiff_path, lock, extra_manifest=""):
    with_grad = variant == "grad"
    if os.path.exists(os.path.join(root, "src")):
        shutil.rmtree(os.path.join(root, "src"))
    os.makedirs(os.path.join(root, "src"))
    manifest = string.Template(
        "[package]\n"
        'name = "compile-bench-$variant"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "# Written by autodiff-bench/compile/generate.py.\n"
        "[dependencies]\n"
        'autodiff = { path = "$path", default-features = false }\n\n'
        "# Not part of the autodiff workspace.\n"
        "[workspace]\n"
    ).substitute(variant=variant, path=autodiff_path) + extra_manifest
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write(manifest)
    if lock and os.path.exists(lock):
        shutil.copy(lock, os.path.join(root, "Cargo.lock"))
    what = "with" if with_grad else "without"
    lib = (
        f"//! The compile-time benchmark's functions {what} `#[grad]` (generated by\n"
        "//! autodiff-bench/compile/generate.py; do not edit).\n"
        "#![deny(warnings)]\n"
    )
    for name, items in modules:
        lib += f"pub mod {name};\n"
        imports = set().union(*(imp for _, imp in items))
        body = use_line(imports, with_grad)
        body += "\n".join(code if with_grad else strip_grad(code) for code, _ in items)
        with open(os.path.join(root, "src", f"{name}.rs"), "w") as f:
            f.write(f"//! Generated; the functions of module {name}.\n\n" + body)
    with open(os.path.join(root, "src", "lib.rs"), "w") as f:
        f.write(lib)


def workspace_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def generate(out, seed=1, count=100, extra_manifest="", only=None):
    """Writes `<out>/grad` and `<out>/plain`; returns the number of modules."""
    root = workspace_root()
    modules = draw(seed, count, only)
    for variant in ("grad", "plain"):
        write_crate(os.path.join(out, variant), variant, modules, root,
                    os.path.join(root, "Cargo.lock"), extra_manifest)
    return len(modules)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(workspace_root(), "target", "compile-bench", "crates"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--families", help="comma-separated families to draw from (default: all): "
                    + ", ".join(f for f, _ in PLAN))
    args = ap.parse_args()
    only = args.families.split(",") if args.families else None
    n = generate(args.out, args.seed, args.count, only=only)
    print(f"wrote {args.count} #[grad] functions in {n} modules to {args.out}/{{grad,plain}}")


if __name__ == "__main__":
    main()
