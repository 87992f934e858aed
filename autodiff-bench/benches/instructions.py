#!/usr/bin/env python3
"""`grad / hand-written` in instructions: callgrind's count of `NAME_grad` and of the
hand-written gradient on the problems of benches/interleaved.rs (those of benches/gradients.rs).

    python3 autodiff-bench/benches/instructions.py          # every row
    python3 autodiff-bench/benches/instructions.py gmm      # the rows whose name has `gmm`

Wall-time ratios on a shared machine move by a tenth between runs and builds; an instruction
count does not move at all for a given binary, so an A/B of generated code can be decided on
it (it does not see cache misses, stalls or vectorization widths: confirm a change in wall
time with benches/interleaved.rs). Per row and side it runs the bench binary under callgrind
with `--calls 1` and `--calls 1+CALLS` and divides the difference by CALLS: building the
problems and anything a first call does once cancel. Needs valgrind on the PATH; stdlib only;
about two minutes for every row.
"""

import json
import re
import shutil
import subprocess
import sys

CALLS = 3


def bench_binary():
    """Builds benches/interleaved.rs (bench profile) and returns its executable."""
    out = subprocess.run(
        ["cargo", "bench", "-p", "autodiff-bench", "--bench", "interleaved", "--no-run",
         "--message-format=json"],
        stdout=subprocess.PIPE, check=True, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "interleaved":
            if msg.get("executable"):
                return msg["executable"]
    sys.exit("cargo built no executable for benches/interleaved.rs")


def instructions(binary, calls, row, side):
    """Instructions callgrind counts for the whole process."""
    p = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary,
         "--calls", str(calls), row, side],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    found = re.search(r"Collected : (\d+)", p.stderr)
    if p.returncode != 0 or not found:
        sys.exit(f"callgrind failed on {row} {side}:\n{p.stderr}")
    return int(found.group(1))


def per_call(binary, row, side):
    return (instructions(binary, 1 + CALLS, row, side) - instructions(binary, 1, row, side)) / CALLS


def main():
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on the PATH (Debian: apt-get install valgrind)")
    filter = sys.argv[1] if len(sys.argv) > 1 else ""
    binary = bench_binary()
    rows = subprocess.run([binary, "--list"], stdout=subprocess.PIPE, check=True, text=True)
    print("grad / hand-written in instructions per call (callgrind; goal <= 1.10 in time)\n")
    print("| problem | grad | hand | grad / hand |")
    print("|---|---:|---:|---:|")
    for row in rows.stdout.split():
        if filter in row:
            grad, hand = per_call(binary, row, "grad"), per_call(binary, row, "hand")
            print(f"| {row} | {grad:,.0f} | {hand:,.0f} | {grad / hand:.3f} |", flush=True)


if __name__ == "__main__":
    main()
