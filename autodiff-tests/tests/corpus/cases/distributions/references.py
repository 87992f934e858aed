"""High-precision references for the distribution cases in this folder.

For each method checked, the value and the gradient with respect to every parameter of the
distribution and the method's argument, at a few points, computed with mpmath (1.3) at 60
significant digits: closed forms where they exist, mpmath's own special functions (loggamma,
ncdf, gammainc) otherwise, and `mpmath.diff` for every derivative. Each number is computed
again at 90 digits and must agree to 40, so the 30 digits printed are all correct.

    python3 references.py           # print every table
    python3 references.py --write   # rewrite the tables in the case files (and rustfmt them)
    python3 references.py --write normal.rs gamma.rs   # only these

A table sits in its case file between the lines
`// references.py: NAME (begin)` and `// references.py: NAME (end)`.

The points are exact binary fractions, so the f64 the Rust tests evaluate at is the point
mpmath evaluates at.
"""

import os
import re
import shutil
import subprocess
import sys

import mpmath as mp

DIGITS = 30
WORK = 60
CHECK = 90


def normal_ln_pdf(mean, std_dev, x):
    z = (x - mean) / std_dev
    return -z * z / 2 - mp.log(std_dev) - mp.log(2 * mp.pi) / 2


def normal_cdf(mean, std_dev, x):
    return mp.ncdf(x, mean, std_dev)


def log_normal_ln_pdf(location, scale, x):
    z = (mp.log(x) - location) / scale
    return -mp.log(x) - mp.log(scale) - mp.log(2 * mp.pi) / 2 - z * z / 2


def log_normal_mean(location, scale):
    return mp.exp(location + scale**2 / 2)


def log_normal_variance(location, scale):
    return mp.expm1(scale**2) * mp.exp(2 * location + scale**2)


def exponential_ln_pdf(rate, x):
    return mp.log(rate) - rate * x


def exponential_cdf(rate, x):
    return -mp.expm1(-rate * x)


def exponential_sf(rate, x):
    return mp.exp(-rate * x)


def exponential_inverse_cdf(rate, p):
    return -mp.log1p(-p) / rate


def gamma_ln_pdf(shape, rate, x):
    return shape * mp.log(rate) + (shape - 1) * mp.log(x) - rate * x - mp.loggamma(shape)


def gamma_cdf(shape, rate, x):
    return mp.gammainc(shape, 0, rate * x, regularized=True)


def beta_ln_pdf(alpha, beta, x):
    return (alpha - 1) * mp.log(x) + (beta - 1) * mp.log1p(-x) - mp.log(mp.beta(alpha, beta))


def beta_mean(alpha, beta):
    return alpha / (alpha + beta)


def beta_variance(alpha, beta):
    return alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))


def students_t_ln_pdf(location, scale, freedom, x):
    z = (x - location) / scale
    return (
        mp.loggamma((freedom + 1) / 2)
        - mp.loggamma(freedom / 2)
        - mp.log(freedom * mp.pi) / 2
        - mp.log(scale)
        - (freedom + 1) / 2 * mp.log1p(z * z / freedom)
    )


def students_t_variance(location, scale, freedom):
    return scale**2 * freedom / (freedom - 2) + 0 * location


def cauchy_ln_pdf(location, scale, x):
    z = (x - location) / scale
    return -mp.log(mp.pi * scale) - mp.log1p(z * z)


def cauchy_cdf(location, scale, x):
    return mp.mpf(1) / 2 + mp.atan((x - location) / scale) / mp.pi


def cauchy_inverse_cdf(location, scale, p):
    return location + scale * mp.tan(mp.pi * (p - mp.mpf(1) / 2))


def cauchy_entropy(location, scale):
    return mp.log(4 * mp.pi * scale) + 0 * location


def laplace_ln_pdf(location, scale, x):
    return -mp.log(2 * scale) - abs(x - location) / scale


def laplace_cdf(location, scale, x):
    z = (x - location) / scale
    return mp.exp(z) / 2 if z < 0 else 1 - mp.exp(-z) / 2


def weibull_ln_pdf(shape, scale, x):
    return mp.log(shape / scale) + (shape - 1) * mp.log(x / scale) - (x / scale) ** shape


def weibull_cdf(shape, scale, x):
    return -mp.expm1(-((x / scale) ** shape))


def logistic_ln_pdf(location, scale, x):
    z = (x - location) / scale
    return -z - 2 * mp.log1p(mp.exp(-z)) - mp.log(scale)


def logistic_cdf(location, scale, x):
    return 1 / (1 + mp.exp(-(x - location) / scale))


# file -> [(const name, function, points)]; a point is (parameters.., argument).
NORMAL = [(0.0, 1.0, 0.5), (1.5, 0.75, -0.25), (-2.0, 3.5, 4.0), (0.25, 0.5, -1.75), (0.0, 1.0, 3.0)]
GAMMA = [(2.0, 1.5, 0.75), (0.5, 1.0, 0.25), (7.25, 0.5, 12.0), (3.5, 2.0, 4.0), (0.75, 1.0, 5.0)]
LOCATION_SCALE = [(0.0, 1.0, 0.5), (1.5, 0.25, -3.0), (-2.0, 4.0, 10.0), (0.5, 2.0, 0.375)]
TABLES = {
    "normal.rs": [
        ("LN_PDF", normal_ln_pdf, NORMAL),
        ("CDF", normal_cdf, NORMAL),
    ],
    "log_normal.rs": [
        ("LN_PDF", log_normal_ln_pdf, [(0.0, 1.0, 1.5), (0.5, 0.25, 2.0), (-1.0, 2.0, 0.125), (1.0, 0.5, 10.0)]),
        ("MEAN", log_normal_mean, [(0.0, 1.0), (0.5, 0.25), (-1.0, 2.0)]),
        ("VARIANCE", log_normal_variance, [(0.0, 1.0), (0.5, 0.25), (-1.0, 2.0)]),
    ],
    "exponential.rs": [
        ("LN_PDF", exponential_ln_pdf, [(1.0, 0.5), (2.5, 1.25), (0.125, 10.0), (4.0, 0.0625)]),
        ("CDF", exponential_cdf, [(1.0, 0.5), (2.5, 1.25), (0.125, 10.0), (4.0, 0.0625)]),
        ("SF", exponential_sf, [(1.0, 0.5), (2.5, 1.25), (0.125, 10.0), (4.0, 0.0625)]),
        ("INVERSE_CDF", exponential_inverse_cdf, [(1.0, 0.5), (2.5, 0.125), (0.125, 0.9375), (4.0, 0.001953125)]),
    ],
    "gamma.rs": [
        ("LN_PDF", gamma_ln_pdf, GAMMA),
        ("CDF", gamma_cdf, GAMMA),
    ],
    "beta.rs": [
        ("LN_PDF", beta_ln_pdf, [(2.0, 3.0, 0.25), (0.5, 0.5, 0.125), (5.5, 1.25, 0.875), (1.0, 1.0, 0.5), (12.0, 20.0, 0.375), (0.25, 3.0, 0.0625)]),
        ("MEAN", beta_mean, [(2.0, 3.0), (0.5, 0.5), (5.5, 1.25)]),
        ("VARIANCE", beta_variance, [(2.0, 3.0), (0.5, 0.5), (5.5, 1.25)]),
    ],
    "students_t.rs": [
        ("LN_PDF", students_t_ln_pdf, [(0.0, 1.0, 3.0, 0.5), (1.5, 2.0, 0.75, -4.0), (-0.5, 0.5, 30.0, 0.25), (0.0, 1.0, 1.0, 2.5), (2.0, 3.0, 7.5, 1.0)]),
        ("VARIANCE", students_t_variance, [(0.0, 1.0, 3.0), (1.5, 2.0, 2.5), (-0.5, 0.5, 30.0)]),
    ],
    "cauchy.rs": [
        ("LN_PDF", cauchy_ln_pdf, LOCATION_SCALE),
        ("CDF", cauchy_cdf, LOCATION_SCALE),
        ("INVERSE_CDF", cauchy_inverse_cdf, [(0.0, 1.0, 0.75), (1.5, 0.25, 0.0625), (-2.0, 4.0, 0.96875)]),
        ("ENTROPY", cauchy_entropy, [(0.0, 1.0), (1.5, 0.25), (-2.0, 4.0)]),
    ],
    "laplace.rs": [
        ("LN_PDF", laplace_ln_pdf, LOCATION_SCALE),
        ("CDF", laplace_cdf, LOCATION_SCALE),
    ],
    "weibull.rs": [
        ("LN_PDF", weibull_ln_pdf, [(1.5, 1.0, 0.5), (0.75, 2.0, 3.0), (5.0, 0.5, 0.625), (2.0, 10.0, 1.0)]),
        ("CDF", weibull_cdf, [(1.5, 1.0, 0.5), (0.75, 2.0, 3.0), (5.0, 0.5, 0.625), (2.0, 10.0, 1.0)]),
    ],
    "logistic.rs": [
        ("LN_PDF", logistic_ln_pdf, LOCATION_SCALE + [(0.0, 0.5, -20.0)]),
        ("CDF", logistic_cdf, LOCATION_SCALE + [(0.0, 0.5, -20.0)]),
    ],
}


def value_and_gradient(f, point, dps):
    with mp.workdps(dps):
        at = [mp.mpf(v) for v in point]
        value = f(*at)
        gradient = []
        for i in range(len(at)):
            order = [0] * len(at)
            order[i] = 1
            gradient.append(mp.diff(f, at, order))
        return value, gradient


def agree(a, b):
    with mp.workdps(CHECK):
        return abs(a - b) <= mp.mpf(10) ** -40 * max(1, abs(b))


def rust_float(v):
    text = mp.nstr(v, DIGITS, min_fixed=-4, max_fixed=DIGITS)
    return text if any(c in text for c in ".e") else text + ".0"


def table(name, f, points):
    lines = [
        f"// references.py: {name} (begin)",
        "#[allow(clippy::excessive_precision, clippy::approx_constant)]",
        f"const {name}: &[Reference] = &[",
    ]
    for point in points:
        assert all(float(v) == v for v in point)
        value, gradient = value_and_gradient(f, point, WORK)
        check_value, check_gradient = value_and_gradient(f, point, CHECK)
        assert agree(value, check_value), (name, point)
        assert all(agree(g, c) for g, c in zip(gradient, check_gradient)), (name, point)
        at = ", ".join(repr(float(v)) for v in point)
        grad = ", ".join(rust_float(g) for g in gradient)
        lines.append("    Reference {")
        lines.append(f"        at: &[{at}],")
        lines.append(f"        value: {rust_float(value)},")
        lines.append(f"        gradient: &[{grad}],")
        lines.append("    },")
    lines.append("];")
    lines.append(f"// references.py: {name} (end)")
    return "\n".join(lines)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    write = bool(args) and args[0] == "--write"
    only = args[1:] if write else []
    unknown = [f for f in only if f not in TABLES]
    if unknown or (args and not write):
        sys.exit(f"usage: references.py [--write [FILE.rs ..]]; unknown: {unknown or args}")
    for file, tables in TABLES.items():
        if only and file not in only:
            continue
        path = os.path.join(here, file)
        text = open(path).read() if write else None
        for name, f, points in tables:
            block = table(name, f, points)
            if not write:
                print(f"// {file}\n{block}\n")
                continue
            pattern = re.compile(
                rf"^// references\.py: {name} \(begin\)$.*?^// references\.py: {name} \(end\)$",
                re.S | re.M,
            )
            text, count = pattern.subn(lambda _: block, text)
            if count != 1:
                sys.exit(f"{file}: no table {name} to rewrite")
        if write:
            open(path, "w").write(text)
            # A case left out of tests/corpus.rs is not reached by `cargo fmt`.
            if shutil.which("rustfmt"):
                subprocess.run(["rustfmt", "--edition", "2021", path], check=True)
            print(f"wrote {file}")


if __name__ == "__main__":
    main()
