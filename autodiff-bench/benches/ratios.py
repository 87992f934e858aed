#!/usr/bin/env python3
"""The ratio table of benches/gradients.rs, from criterion's saved estimates.

    CARGO_TARGET_DIR=target-bench cargo bench -p autodiff-bench --bench gradients
    python3 autodiff-bench/benches/ratios.py target-bench/criterion

Reads <criterion dir>/<group>/<row>/new/estimates.json (default dir: target/criterion, or
$CARGO_TARGET_DIR/criterion) and prints markdown: the median time of every row, then per
problem the ratios the issue asks for. Stdlib only.
"""

import json
import os
import sys

ROWS = [
    "primal", "grad", "hand", "tangent", "hvp", "jacobian", "adjoint", "hand_adjoint", "primal_adbench", "grad_adbench", "tape", "fd", "dual",
]
GROUPS = [
    "dot_n1000", "mlp_30_64_1", "logreg_256x30", "gmm_d2_K5", "gmm_d10_K25", "recurrence_1000", "rosenbrock_n100", "jacobian_8_to_16", "jacobian_16_to_4",
]
RATIOS = [
    ("grad / hand", "grad", "hand"),
    ("adjoint / hand_adjoint", "adjoint", "hand_adjoint"),
    # The GMM written as ADBench's C++ is (scratch buffers, helper calls): same hand-written baseline.
    ("grad_adbench / hand", "grad_adbench", "hand"),
    ("grad / primal", "grad", "primal"),
    ("tangent / grad", "tangent", "grad"),
    ("hvp / grad", "hvp", "grad"),
    ("jacobian / hand", "jacobian", "hand"),
    ("hand / primal", "hand", "primal"),
    ("tape / grad", "tape", "grad"),
    ("tape / hand", "tape", "hand"),
    ("fd / grad", "fd", "grad"),
    ("dual / grad", "dual", "grad"),
]


def default_dir():
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    return os.path.join(target, "criterion")


def load(root):
    """{group: {row: median seconds}} for every estimates.json found under root."""
    times = {}
    for group in sorted(os.listdir(root)):
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        for row in sorted(os.listdir(gdir)):
            path = os.path.join(gdir, row, "new", "estimates.json")
            if os.path.isfile(path):
                with open(path) as f:
                    est = json.load(f)
                times.setdefault(group, {})[row] = est["median"]["point_estimate"] * 1e-9
    return times


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def fmt_ratio(r):
    return f"{r:.2f}" if r < 100 else f"{r:.0f}"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else default_dir()
    if not os.path.isdir(root):
        sys.exit(f"no criterion results at {root}: run `cargo bench -p autodiff-bench --bench gradients` first")
    times = load(root)
    groups = [g for g in GROUPS if g in times] + sorted(g for g in times if g not in GROUPS)
    if not groups:
        sys.exit(f"no estimates.json under {root}")

    print("Median time per gradient (`-`: not benchmarked)\n")
    print("| problem | " + " | ".join(ROWS) + " |")
    print("|---|" + "---:|" * len(ROWS))
    for g in groups:
        cells = [fmt_time(times[g][r]) if r in times[g] else "-" for r in ROWS]
        print(f"| {g} | " + " | ".join(cells) + " |")

    print("\nRatios of median times (goal: grad / hand <= 1.10)\n")
    print("| problem | " + " | ".join(name for name, _, _ in RATIOS) + " |")
    print("|---|" + "---:|" * len(RATIOS))
    for g in groups:
        t = times[g]
        cells = [fmt_ratio(t[a] / t[b]) if a in t and b in t else "-" for _, a, b in RATIOS]
        print(f"| {g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
