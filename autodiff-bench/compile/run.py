#!/usr/bin/env python3
"""The compile-time benchmark of `#[grad]` (issue 10, item 5): builds a crate of 100 typical
`#[grad]` functions with and without the attribute and reports the ratio of build times.

    python3 autodiff-bench/compile/run.py                  # check, debug, release; 5 runs each
    python3 autodiff-bench/compile/run.py --runs 3 --modes debug,release
    python3 autodiff-bench/compile/run.py --passes         # + rustc's own pass timings

Not part of `cargo test --workspace` or CI: run it by hand (about 5 minutes on 2 cores).

What is measured. generate.py writes the same 100 functions twice under target/compile-bench/:
`grad/` with their `#[grad]` attributes and `plain/` without (same bodies, same structs with
`#[derive(Params)]`, both depending on `autodiff` by path). Both use one target directory, so
the dependencies (autodiff, its runtime, the proc-macro crate and syn) are built once, in a
warm-up build per mode, and are never rebuilt in a timed build. Each timed build starts from
`cargo clean -p <crate>` (the crate's own artifacts and incremental state removed) and is the
wall time of `cargo check`, `cargo build` or `cargo build --release` of that crate alone, with
cargo's default profiles (debug builds incremental, proc macros built at opt-level 0 in both
profiles) and the user+system CPU time of cargo and its children. Variants alternate, in an
order that flips every run. The report gives every run, the median per variant, the ratio of
medians (grad / plain) with the range of the per-run ratios, and (grad - plain) / 100: what
one `#[grad]` function adds to the build. For `cargo check` that is the attribute's expansion
plus type- and borrow-checking the generated items, the closest stable Rust gets to "the
macro's expansion time per function".

--passes adds rustc's pass timings (`-Z time-passes`, `-Z macro-stats`, `-Z unpretty=expanded`
through `RUSTC_BOOTSTRAP=1` on the stable compiler, in a separate target directory): the
`macro_expand_crate` pass is the macro's own expansion time (every macro of the crate, so
grad - plain isolates `#[grad]`), and the expanded sources give the generated code's size.
--macro-opt builds the proc-macro crate and syn at opt-level 3 (a
`[profile.*.build-override]` in the scratch crates, their own target directory): how much of
the cost is the unoptimized macro.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

MODES = {
    "check": (["check"], "debug"),
    "debug": (["build"], "debug"),
    "release": (["build", "--release"], "release"),
}
VARIANTS = ("plain", "grad")


def crate_name(variant):
    return f"compile-bench-{variant}"


class Bench:
    def __init__(self, out, target, count, env_extra=None):
        self.out = out
        self.target = target
        self.count = count
        self.env = dict(os.environ, CARGO_TARGET_DIR=target, CARGO_TERM_COLOR="never")
        self.env.update(env_extra or {})

    def cargo(self, variant, args, check_units=None):
        """Runs cargo in the variant's crate: (wall seconds, CPU seconds, stderr)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        p = subprocess.run(
            ["cargo", *args], cwd=os.path.join(self.out, variant), env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if p.returncode != 0:
            sys.exit(f"cargo {' '.join(args)} failed in {variant}:\n{p.stderr}")
        if check_units is not None:
            units = re.findall(r"^\s*(?:Compiling|Checking) (\S+)", p.stderr, re.M)
            if units != check_units:
                sys.exit(
                    f"cargo {' '.join(args)} in {variant} built {units}, expected {check_units}"
                    " (a dependency rebuilt in a timed build?)"
                )
        return wall, cpu, p.stderr + p.stdout

    def clean(self, variant, profile):
        args = ["clean", "-p", crate_name(variant)]
        if profile == "release":
            args.append("--release")
        self.cargo(variant, args)

    def timed(self, variant, mode):
        args, profile = MODES[mode]
        self.clean(variant, profile)
        wall, cpu, _ = self.cargo(variant, args, check_units=[crate_name(variant)])
        return wall, cpu


def median(xs):
    return statistics.median(xs)


def measure(bench, modes, runs, log):
    results = {}
    for mode in modes:
        args, _ = MODES[mode]
        log(f"\n== cargo {' '.join(args)}: warm-up (dependencies)")
        for v in VARIANTS:
            bench.cargo(v, args)
        rows = {v: [] for v in VARIANTS}
        for r in range(runs):
            order = VARIANTS if r % 2 == 0 else tuple(reversed(VARIANTS))
            for v in order:
                wall, cpu = bench.timed(v, mode)
                rows[v].append((wall, cpu))
            log(
                f"run {r + 1}: plain {rows['plain'][-1][0]:6.2f} s ({rows['plain'][-1][1]:6.2f} s CPU)"
                f"   grad {rows['grad'][-1][0]:6.2f} s ({rows['grad'][-1][1]:6.2f} s CPU)"
                f"   ratio {rows['grad'][-1][0] / rows['plain'][-1][0]:.2f}"
            )
        results[mode] = rows
    return results


def summarize(results, count):
    lines = [
        "| command | plain (s) | grad (s) | grad / plain | per-run ratios | "
        "(grad - plain) / fn (ms) | CPU: grad / plain | CPU per fn (ms) |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for mode, rows in results.items():
        args, _ = MODES[mode]
        pw = [w for w, _ in rows["plain"]]
        gw = [w for w, _ in rows["grad"]]
        pc = [c for _, c in rows["plain"]]
        gc = [c for _, c in rows["grad"]]
        ratios = [g / p for g, p in zip(gw, pw)]
        lines.append(
            f"| cargo {' '.join(args)} | {median(pw):.2f} ({min(pw):.2f}-{max(pw):.2f}) "
            f"| {median(gw):.2f} ({min(gw):.2f}-{max(gw):.2f}) "
            f"| {median(gw) / median(pw):.2f} | {min(ratios):.2f}-{max(ratios):.2f} "
            f"| {1000 * (median(gw) - median(pw)) / count:.1f} "
            f"| {median(gc) / median(pc):.2f} | {1000 * (median(gc) - median(pc)) / count:.1f} |"
        )
    return "\n".join(lines)


PASSES = ["macro_expand_crate", "type_check_crate", "MIR_borrow_checking", "total"]


def passes(bench, runs, log):
    """rustc's pass timings for `cargo check` of each variant, and the expanded sizes."""
    times = {v: {p: [] for p in PASSES} for v in VARIANTS}
    args = ["rustc", "--profile", "check", "--", "-Z", "time-passes"]
    log("\n== cargo rustc --profile check -- -Z time-passes (RUSTC_BOOTSTRAP=1)")
    for v in VARIANTS:
        bench.cargo(v, ["check"])  # the dependencies
    for r in range(runs):
        for v in VARIANTS if r % 2 == 0 else tuple(reversed(VARIANTS)):
            bench.clean(v, "debug")
            _, _, err = bench.cargo(v, args)
            for p in PASSES:
                # the last line of a pass is the crate's (the same pass name repeats nested)
                found = re.findall(r"^time:\s+([0-9.]+);.*\t" + p + r"$", err, re.M)
                times[v][p].append(float(found[-1]) if found else float("nan"))
        log(
            "run {}: ".format(r + 1)
            + "   ".join(f"{v} expand {times[v]['macro_expand_crate'][-1]:.3f} s, "
                         f"total {times[v]['total'][-1]:.3f} s" for v in VARIANTS)
        )
    lines = ["| rustc pass (cargo check) | plain (s) | grad (s) | (grad - plain) / fn (ms) |",
             "|---|---:|---:|---:|"]
    for p in PASSES:
        a, b = median(times["plain"][p]), median(times["grad"][p])
        lines.append(f"| {p} | {a:.3f} | {b:.3f} | {1000 * (b - a) / bench.count:.2f} |")
    # Sizes: the crate as rustc sees it after expansion.
    size = {}
    for v in VARIANTS:
        bench.clean(v, "debug")
        _, _, text = bench.cargo(v, ["rustc", "--profile", "check", "--quiet", "--",
                                     "-Z", "unpretty=expanded"])
        size[v] = code_size(text)
    source = ""
    for name in sorted(os.listdir(os.path.join(bench.out, "plain", "src"))):
        with open(os.path.join(bench.out, "plain", "src", name)) as f:
            source += re.sub(r"^\s*//.*$", "", f.read(), flags=re.M)
    size["source"] = code_size(source)
    generated = size["grad"][1] - size["plain"][1]
    bench.clean("grad", "debug")
    _, _, stats = bench.cargo("grad", ["rustc", "--profile", "check", "--", "-Z", "macro-stats"])
    grad_stats = [line for line in stats.splitlines() if "#[grad]" in line]
    lines += [
        "",
        "| expanded crate (`-Z unpretty=expanded`) | plain | grad | grad / plain |",
        "|---|---:|---:|---:|",
        f"| non-blank lines | {size['plain'][0]} | {size['grad'][0]} "
        f"| {size['grad'][0] / size['plain'][0]:.2f} |",
        f"| tokens (doc and allow attributes left out) | {size['plain'][1]} | {size['grad'][1]} "
        f"| {size['grad'][1] / size['plain'][1]:.2f} |",
        "",
        f"What `#[grad]` wrote (grad - plain, expanded): {generated} tokens, "
        f"{generated / size['source'][1]:.2f} times the plain crate's source "
        f"({size['source'][1]} tokens, comments left out).",
    ]
    if grad_stats:
        lines += ["", "`-Z macro-stats` (grad crate):", "", "```text", stats_header(stats),
                  *grad_stats, "```"]
    return "\n".join(lines), times, size


def code_size(text):
    """(non-blank lines, tokens) of rustc's expanded source, without `#[doc = ".."]` and
    `#[allow(..)]` attributes (each generated function carries a long doc string)."""
    text = re.sub(r'#\[doc\s*=\s*"(?:[^"\\]|\\.)*"\]', "", text)
    text = re.sub(r"#\[allow\([^)]*\)\]", "", text)
    lines = [line for line in text.splitlines() if line.strip()]
    tokens = re.findall(
        r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:e-?\d+)?|::|->|=>|[^\sA-Za-z0-9_]", text
    )
    return len(lines), len(tokens)


def stats_header(stats):
    for line in stats.splitlines():
        if "Macro Name" in line:
            return line
    return ""


def main():
    ap = argparse.ArgumentParser(
        description="Compile time of 100 #[grad] functions against the same functions "
        "without the attribute (see the header of this file)."
    )
    ap.add_argument("--runs", type=int, default=5, help="timed clean builds per variant and mode")
    ap.add_argument("--modes", default="check,debug,release",
                    help="comma-separated: check, debug, release")
    ap.add_argument("--seed", type=int, default=1, help="the generator's seed")
    ap.add_argument("--count", type=int, default=100, help="#[grad] functions")
    ap.add_argument("--passes", action="store_true",
                    help="also rustc's pass timings and the expanded sizes (RUSTC_BOOTSTRAP=1)")
    ap.add_argument("--families", help="draw from these generator families only (see "
                    "generate.py --help); the crates go to their own directory")
    ap.add_argument("--macro-opt", action="store_true",
                    help="build the proc macro and syn at opt-level 3 (own target directory)")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            sys.exit(f"unknown mode {m!r}; expected check, debug or release")

    root = generate.workspace_root()
    base = os.path.join(root, "target", "compile-bench")
    only = args.families.split(",") if args.families else None
    target_suffix = "-macro-opt" if args.macro_opt else ""
    suffix = target_suffix + ("-" + "+".join(only) if only else "")
    out = os.path.join(base, "crates" + suffix)
    target = os.path.join(base, "target" + target_suffix)
    extra = ""
    if args.macro_opt:
        extra = "".join(
            f"\n[profile.{p}.build-override]\nopt-level = 3\n" for p in ("dev", "release")
        )
    generate.generate(out, args.seed, args.count, extra_manifest=extra, only=only)
    report = []

    def log(msg):
        print(msg, flush=True)

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    head = (
        f"{args.count} #[grad] functions (seed {args.seed}"
        + (f", families {args.families}" if only else "")
        + f"), {args.runs} clean builds per variant, "
        f"{os.cpu_count()} CPUs, {rustc}" + (", proc macro at opt-level 3" if args.macro_opt else "")
    )
    log(head)
    bench = Bench(out, target, args.count)
    results = measure(bench, modes, args.runs, log)
    table = summarize(results, args.count)
    report += [head, "", table]
    log("\n" + table)
    raw = {"seed": args.seed, "count": args.count, "families": only, "rustc": rustc, "macro_opt": args.macro_opt,
           "builds": results}
    if args.passes:
        zbench = Bench(out, target + "-z", args.count, {"RUSTC_BOOTSTRAP": "1"})
        text, times, size = passes(zbench, args.runs, log)
        report += ["", text]
        raw.update(passes=times, expanded=size)
        log("\n" + text)
    with open(os.path.join(base, "report" + suffix + ".md"), "w") as f:
        f.write("\n".join(report) + "\n")
    with open(os.path.join(base, "report" + suffix + ".json"), "w") as f:
        json.dump(raw, f, indent=1)
    log(f"\nwritten to {os.path.join(base, 'report' + suffix + '.md')} (and .json)")


if __name__ == "__main__":
    main()
