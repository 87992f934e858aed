//! Compile-fail tests for every construct `#[grad]` and `#[derive(Params)]` reject, and pass
//! tests for tricky accepted code. Regenerate the expected output with `TRYBUILD=overwrite` and
//! review it.

/// The compile-fail folders under `tests/ui/`; `tests/ui/pass/` holds the cases that must build.
const FAIL: &[&str] = &[
    "signature",
    "attr",
    "body",
    "calls",
    "closures",
    "loops",
    "checkpoint",
    "models",
    "derive",
];

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for folder in FAIL {
        t.compile_fail(format!("tests/ui/{folder}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}
