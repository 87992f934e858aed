//! The share of the corpus that compiles unchanged with `#[grad]`:
//!
//! ```text
//! cargo test -p autodiff-tests --test corpus -- --ignored --nocapture share
//! ```
//!
//! Every file under `tests/corpus/cases/` is built on its own in a scratch crate
//! (`cargo check --tests`); the test prints `compiles: N/M` and, for each failure, rustc's
//! errors (first one first). Every case is also run: one that compiles runs its `reference`
//! and `generated` tests, one that does not is run with its `#[grad]` lines and its
//! `generated` test removed, so the to-do list holds only proven hand gradients.
//!
//! The test fails when a check fails or when `tests/corpus.rs` and reality disagree (a listed
//! case that fails to compile, a case left out that compiles now: list it).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The line after which a case holds only its `generated` test.
const GENERATED_MARKER: &str = "// ---- generated ----";

struct Outcome {
    case: String,
    listed: bool,
    /// rustc's errors in the function and its hand gradient: empty when `#[grad]` accepts it.
    errors: Vec<String>,
    /// rustc's errors in the `generated` test only: the generated items do not have the
    /// signatures the contract promises (or the test is wrong).
    test_errors: Vec<String>,
    /// The test output when the case's checks fail.
    tests: Option<String>,
}

#[test]
#[ignore = "builds every case in a scratch crate; run with --ignored --nocapture"]
fn share() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = listed_cases(&root.join("tests/corpus.rs"));
    let cases = all_cases(&root.join("tests/corpus/cases"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-share");
    // The facade crate `autodiff` and the lock file live one level up, at the workspace root.
    write_scratch_crate(root, root.parent().unwrap(), &scratch);

    let mut outcomes = Vec::new();
    for case in &cases {
        // Relative to the workspace, as rustc's messages for the workspace read.
        let shown = case.strip_prefix(root.parent().unwrap()).unwrap();
        let shown = shown.to_string_lossy().replace('\\', "/");
        let rel = case.strip_prefix(root.join("tests")).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        let source = fs::read_to_string(case).unwrap();
        fs::write(scratch.join("src/case.rs"), &source).unwrap();
        let marker = source
            .lines()
            .position(|l| l.trim() == GENERATED_MARKER)
            .map_or(usize::MAX, |i| i + 1);
        let (errors, test_errors) =
            match cargo(&scratch, &["check", "--tests", "--message-format", "short"]) {
                Ok(()) => (Vec::new(), Vec::new()),
                Err(out) => error_lines(&out, &shown, marker),
            };
        // A case that compiles runs both tests; one that does not is checked without `#[grad]`.
        if !errors.is_empty() || !test_errors.is_empty() {
            fs::write(scratch.join("src/case.rs"), without_grad(&source)).unwrap();
        }
        let tests = cargo(&scratch, &["test", "--lib", "--", "--quiet"]).err();
        outcomes.push(Outcome {
            listed: listed.contains(&rel),
            case: rel,
            errors,
            test_errors,
            tests,
        });
    }

    let compiling = outcomes.iter().filter(|o| o.errors.is_empty()).count();
    let agreeing = outcomes
        .iter()
        .filter(|o| o.errors.is_empty() && o.test_errors.is_empty() && o.tests.is_none())
        .count();
    println!("\ncompiles: {compiling}/{}", outcomes.len());
    println!(
        "of which the generated gradient agrees with the hand gradient: {agreeing}/{compiling}"
    );
    let mut problems = Vec::new();
    for o in &outcomes {
        let Some(first) = o.errors.first() else {
            if !o.listed && o.tests.is_none() && o.test_errors.is_empty() {
                problems.push(format!(
                    "{} compiles now: list it in tests/corpus.rs",
                    o.case
                ));
            }
            if !o.test_errors.is_empty() {
                problems.push(format!(
                    "{}: #[grad] accepts the function but the generated test does not \
                     compile:\n  {}",
                    o.case,
                    o.test_errors.join("\n  ")
                ));
            }
            if let Some(out) = &o.tests {
                problems.push(format!("{}: checks FAIL:\n{out}", o.case));
            }
            continue;
        };
        println!("\nFAILS {}\n  first: {first}", o.case);
        for e in &o.errors[1..] {
            println!("  also:  {e}");
        }
        if o.listed {
            problems.push(format!("{} is listed but does not compile", o.case));
        }
        if let Some(out) = &o.tests {
            problems.push(format!("{}: hand gradient check FAILS:\n{out}", o.case));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The error lines rustc printed, in order, with the repository path: those before line
/// `marker` (the function, its hand gradient, the reference test) and those after it (the
/// `generated` test, which only uses the generated items).
fn error_lines(out: &str, shown: &str, marker: usize) -> (Vec<String>, Vec<String>) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for line in out
        .lines()
        .filter(|l| l.starts_with("src/") && l.contains(": error"))
    {
        let at: usize = line
            .strip_prefix("src/case.rs:")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let line = line.replace("src/case.rs", shown);
        if at > marker {
            after.push(line);
        } else {
            before.push(line);
        }
    }
    if before.is_empty() && after.is_empty() {
        before.push(out.to_string());
    }
    (before, after)
}

/// The cases `tests/corpus.rs` includes (`#[path = "corpus/cases/.."]`).
fn listed_cases(corpus_rs: &Path) -> Vec<String> {
    fs::read_to_string(corpus_rs)
        .unwrap()
        .lines()
        .filter_map(|line| line.trim().strip_prefix("#[path = \""))
        .filter_map(|rest| rest.strip_suffix("\"]"))
        .filter(|p| p.starts_with("corpus/cases/"))
        .map(str::to_string)
        .collect()
}

/// Every `.rs` file under `dir`, sorted.
fn all_cases(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_cases(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The case without its `#[grad]` attributes and without the `generated` test.
fn without_grad(source: &str) -> String {
    let head = source.split(GENERATED_MARKER).next().unwrap();
    head.lines()
        .filter(|line| !line.trim_start().starts_with("#[grad"))
        .map(|line| format!("{line}\n"))
        .collect()
}

fn write_scratch_crate(root: &Path, workspace: &Path, scratch: &Path) {
    fs::create_dir_all(scratch.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"corpus-case\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nautodiff = {{ path = {workspace:?}, default-features = false }}\n\
         num-traits = \"0.2\"\n\n[workspace]\n"
    );
    fs::write(scratch.join("Cargo.toml"), manifest).unwrap();
    fs::copy(workspace.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    let tests = root.join("tests");
    let lib = format!(
        "#![allow(dead_code)]\n#[path = {:?}]\nmod common;\n#[path = {:?}]\nmod check;\nmod case;\n",
        tests.join("common/mod.rs"),
        tests.join("corpus/check.rs"),
    );
    fs::write(scratch.join("src/lib.rs"), lib).unwrap();
}

/// Runs cargo in the scratch crate; on failure, its stdout and stderr.
fn cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .arg("--offline")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
