//! Random-program differential tester for `#[grad]`.
//!
//! Draws programs inside the differentiable subset (straight-line code, branches, every loop
//! form with early exits, local arrays, calls, generic and f32 code, and the families being
//! added), prints each as a `#[grad]` module of one generated crate, builds that crate in
//! debug and release, and checks every `f_grad` and `f_adjoint` result against an exact
//! oracle: the same AST interpreted with forward-mode dual numbers. See `README.md` for the
//! commands.

pub mod activity;
pub mod ast;
pub mod family;
pub mod gen;
pub mod harness;
pub mod oracle;
pub mod print;
mod shrink;

pub use family::Family;

use harness::{check_oracle, check_release, compile_class, Case, Failure, FailureKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One run: which programs, and where to build them.
pub struct Config {
    pub seed: u64,
    pub count: usize,
    pub families: Vec<Family>,
    /// Also build and run in release, and compare with debug.
    pub release: bool,
    /// Rounds of shrinking for each failure class's reproducers (0: none).
    pub shrink_rounds: usize,
    /// No shrinking round starts after this much time.
    pub shrink_budget: Duration,
    /// The generated crate's directory.
    pub dir: PathBuf,
    /// The cargo target directory of generated crates, shared across runs.
    pub target_dir: PathBuf,
}

impl Config {
    /// Builds under `<workspace>/target/random-programs/<name>`, with the target directory
    /// `<workspace>/target/random-programs/target-<name>`: one per name, so that the CI test
    /// and a long run at the same time never overwrite each other's binaries.
    pub fn new(name: &str, seed: u64, count: usize, families: Vec<Family>) -> Config {
        let base = harness::workspace_root()
            .join("target")
            .join("random-programs");
        Config {
            seed,
            count,
            families,
            release: true,
            shrink_rounds: 0,
            shrink_budget: Duration::from_secs(120),
            dir: base.join(name),
            target_dir: base.join(format!("target-{name}")),
        }
    }
}

/// The fate of one program.
pub struct Outcome {
    pub case: Case,
    pub families: BTreeSet<Family>,
    pub failure: Option<Failure>,
}

/// A failure class with its (shrunk) reproducer.
pub struct Class {
    pub kind: FailureKind,
    pub class: String,
    pub ids: Vec<String>,
    pub reproducer: Case,
    pub detail: String,
}

pub struct Report {
    pub seed: u64,
    pub families: Vec<Family>,
    pub outcomes: Vec<Outcome>,
    /// Draws the oracle refused (domain edge, near-tie, too large) and replaced.
    pub rejected: usize,
    pub classes: Vec<Class>,
    pub seconds: f64,
}

/// Draws program `index`: the first attempt the oracle accepts as a fair test.
fn draw(
    seed: u64,
    index: usize,
    families: &[Family],
    rejected: &mut usize,
) -> Option<(Case, BTreeSet<Family>)> {
    for attempt in 0..2000 {
        let (program, used) = gen::generate(seed, index as u64, attempt, families);
        match oracle::evaluate(&program) {
            Ok(expected) => {
                let id = format!("p{index:05}");
                return Some((
                    Case {
                        id,
                        program,
                        expected,
                    },
                    used,
                ));
            }
            Err(_) => *rejected += 1,
        }
    }
    None
}

/// The source of program `index` of a run, as the generated crate's module holds it.
pub fn program_source(seed: u64, index: usize, families: &[Family]) -> Option<String> {
    draw(seed, index, families, &mut 0).map(|(c, _)| print::program_module(&c.program))
}

/// Classifies one program from its build and run results.
fn classify(
    case: &Case,
    debug: &harness::Built,
    release: Option<&harness::Built>,
) -> Option<Failure> {
    let compile = |b: &harness::Built| {
        b.compile_errors.get(&case.id).map(|e| Failure {
            kind: FailureKind::CompileError,
            class: compile_class(e),
            detail: e.clone(),
        })
    };
    if let Some(f) = compile(debug) {
        return Some(f);
    }
    if let Some(f) = release.and_then(compile) {
        return Some(Failure {
            class: format!("release only: {}", f.class),
            ..f
        });
    }
    let rows = debug.rows.get(&case.id)?;
    if let Some(f) = check_oracle(case, rows) {
        return Some(f);
    }
    let release_rows = release?.rows.get(&case.id)?;
    check_release(case, rows, release_rows)
}

/// Builds and runs `cases` (debug, and release if asked) and classifies each.
fn test_cases(
    ws: &Workspace,
    cases: &[&Case],
    release: bool,
) -> Result<Vec<Option<Failure>>, String> {
    let debug = ws.build_and_run(cases, false)?;
    let release = if release {
        Some(ws.build_and_run(cases, true)?)
    } else {
        None
    };
    Ok(cases
        .iter()
        .map(|c| classify(c, &debug, release.as_ref()))
        .collect())
}

/// Draws, builds, runs and checks `config.count` programs.
pub fn run(config: &Config) -> Result<Report, String> {
    let start = Instant::now();
    let mut rejected = 0;
    let mut drawn = Vec::new();
    for index in 0..config.count {
        match draw(config.seed, index, &config.families, &mut rejected) {
            Some(d) => drawn.push(d),
            None => return Err(format!("program {index}: no fair program in 2000 draws")),
        }
    }
    std::fs::create_dir_all(&config.dir)
        .map_err(|e| format!("creating {}: {e}", config.dir.display()))?;
    let ws = Workspace {
        root: harness::workspace_root(),
        dir: config.dir.clone(),
        target_dir: config.target_dir.clone(),
    };
    let cases: Vec<&Case> = drawn.iter().map(|(c, _)| c).collect();
    let failures = test_cases(&ws, &cases, config.release)?;
    let outcomes: Vec<Outcome> = drawn
        .into_iter()
        .zip(failures)
        .map(|((case, families), failure)| Outcome {
            case,
            families,
            failure,
        })
        .collect();
    let mut classes = group(&outcomes);
    if config.shrink_rounds > 0 && !classes.is_empty() {
        let (rounds, budget) = (config.shrink_rounds, config.shrink_budget);
        shrink::shrink(&ws, &mut classes, rounds, budget, config.release)?;
    }
    let report = Report {
        seed: config.seed,
        families: config.families.clone(),
        outcomes,
        rejected,
        classes,
        seconds: start.elapsed().as_secs_f64(),
    };
    let _ = std::fs::write(config.dir.join("report.md"), report.to_markdown());
    Ok(report)
}

/// `x0 = [0.5], n1 = 3, m = [..]`: a function's inputs (a struct's flattened).
fn inputs(f: &ast::Function, values: &[Vec<f64>]) -> String {
    let inputs: Vec<String> = f
        .params
        .iter()
        .zip(values)
        .map(|(p, v)| match p.ty {
            ast::ParamTy::Usize(n) => format!("{} = {n}", p.name),
            _ => format!("{} = {v:?}", p.name),
        })
        .collect();
    inputs.join(", ")
}

/// Failure classes, each with its smallest program as the reproducer.
fn group(outcomes: &[Outcome]) -> Vec<Class> {
    let mut by_class: BTreeMap<(FailureKind, String), Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        if let Some(f) = &o.failure {
            by_class
                .entry((f.kind, f.class.clone()))
                .or_default()
                .push(o);
        }
    }
    by_class
        .into_iter()
        .map(|((kind, class), os)| {
            let smallest = os
                .iter()
                .min_by_key(|o| print::program_items(&o.case.program).len())
                .expect("a class has a member");
            Class {
                kind,
                class,
                ids: os.iter().map(|o| o.case.id.clone()).collect(),
                reproducer: smallest.case.clone(),
                detail: smallest
                    .failure
                    .as_ref()
                    .map(|f| f.detail.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

impl Report {
    pub fn failures(&self) -> usize {
        self.outcomes.iter().filter(|o| o.failure.is_some()).count()
    }

    /// Programs whose `hvp` row is checked against the oracle (`modes(hvp)` on every function
    /// that returns a float), and how many of those failed in any way.
    pub fn hvp_checked(&self) -> (usize, usize) {
        let checked: Vec<&Outcome> = (self.outcomes.iter())
            .filter(|o| harness::hvp_checked(&o.case).is_some())
            .collect();
        let failed = checked.iter().filter(|o| o.failure.is_some()).count();
        (checked.len(), failed)
    }

    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let names: Vec<&str> = self.families.iter().map(|f| f.name()).collect();
        let _ = writeln!(
            s,
            "# autodiff-fuzz: seed {}, {} programs\n",
            self.seed,
            self.outcomes.len()
        );
        let _ = writeln!(s, "Families enabled: {}.", names.join(", "));
        let _ = writeln!(
            s,
            "{} programs checked in {:.0} s ({} draws refused by the oracle as unfair tests and redrawn).\n",
            self.outcomes.len(),
            self.seconds,
            self.rejected
        );
        let (hvp, hvp_failed) = self.hvp_checked();
        let eligible = (self.outcomes.iter())
            .filter(|o| print::checks_hvp(&o.case.program))
            .count();
        let _ = writeln!(
            s,
            "Second order: {hvp} programs with `modes(hvp)` and an `hvp` row checked ({hvp_failed} of them failed in any way); {} more printed one the oracle does not judge (a second-order number past the magnitude limit).\n",
            eligible - hvp
        );
        let kinds = [
            FailureKind::CompileError,
            FailureKind::Panic,
            FailureKind::WrongGradient,
            FailureKind::DebugRelease,
        ];
        let _ = writeln!(s, "| family | programs | compile errors | panics | wrong value/gradient | debug/release | passed |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
        let row = |s: &mut String, label: &str, os: Vec<&Outcome>| {
            let _ = write!(s, "| {label} | {} ", os.len());
            for k in kinds {
                let n = os
                    .iter()
                    .filter(|o| o.failure.as_ref().is_some_and(|f| f.kind == k))
                    .count();
                let _ = write!(s, "| {n} ");
            }
            let _ = writeln!(
                s,
                "| {} |",
                os.iter().filter(|o| o.failure.is_none()).count()
            );
        };
        for f in &self.families {
            row(
                &mut s,
                f.name(),
                self.outcomes
                    .iter()
                    .filter(|o| o.families.contains(f))
                    .collect(),
            );
        }
        row(&mut s, "**all**", self.outcomes.iter().collect());
        for (n, c) in self.classes.iter().enumerate() {
            let shown: Vec<&str> = c.ids.iter().take(12).map(String::as_str).collect();
            let more = if c.ids.len() > shown.len() {
                ", ..."
            } else {
                ""
            };
            let _ = writeln!(s, "\n## {}. {}: {}\n", n + 1, c.kind.name(), c.class);
            let _ = writeln!(s, "{} programs: {}{more}\n", c.ids.len(), shown.join(", "));
            let _ = writeln!(
                s,
                "Reproducer ({}):\n\n```rust\n{}```\n",
                c.reproducer.id,
                print::program_items(&c.reproducer.program)
            );
            let p = &c.reproducer.program;
            let _ = writeln!(s, "Inputs: {}\n", inputs(&p.main, &p.inputs));
            for check in &p.vjps {
                let helper = p.helpers.iter().find(|h| h.name == check.helper);
                if let Some(h) = helper {
                    let _ = writeln!(
                        s,
                        "`{}_adjoint` checked at {}, d_out = {:?}\n",
                        h.name,
                        inputs(h, &check.inputs),
                        check.d_out
                    );
                }
            }
            let _ = writeln!(s, "```text\n{}\n```", c.detail.trim_end());
        }
        s
    }
}
