//! `cargo run -p autodiff-fuzz --release -- --seed 1 --count 5000 --families all`
//!
//! Writes `target/random-programs/run/report.md` and prints it; exits non-zero if any program
//! failed.

use autodiff_fuzz::{run, Config, Family};
use std::process::ExitCode;

const USAGE: &str =
    "usage: autodiff-fuzz [--seed N] [--count N] [--families all|supported|a,b,..] \
[--batch N] [--shrink ROUNDS] [--shrink-seconds S] [--no-release] [--print INDEX] [--name NAME]";

struct Args {
    seed: u64,
    count: usize,
    families: Vec<Family>,
    batch: usize,
    shrink: usize,
    shrink_seconds: u64,
    release: bool,
    /// Print this program of the run instead of running anything.
    print: Option<usize>,
    /// The run's directory under `target/random-programs/` (default `run`): runs at the same
    /// time need different names.
    name: String,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        seed: 1,
        count: 200,
        name: "run".to_string(),
        families: Family::SUPPORTED.to_vec(),
        batch: 200,
        shrink: 8,
        shrink_seconds: 120,
        release: true,
        print: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--seed" => a.seed = number(value()?)?,
            "--name" => a.name = value()?,
            "--count" => a.count = number(value()?)? as usize,
            "--batch" => a.batch = (number(value()?)? as usize).max(1),
            "--shrink" => a.shrink = number(value()?)? as usize,
            "--shrink-seconds" => a.shrink_seconds = number(value()?)?,
            "--families" => a.families = Family::parse_list(&value()?)?,
            "--no-release" => a.release = false,
            "--print" => a.print = Some(number(value()?)? as usize),
            "--help" | "-h" => return Err(USAGE.to_string()),
            _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(index) = args.print {
        let batch = (index / args.batch) as u64;
        match autodiff_fuzz::program_source(args.seed + batch, index % args.batch, &args.families) {
            Some(src) => println!("{src}"),
            None => eprintln!("no fair program drawn"),
        }
        return ExitCode::SUCCESS;
    }
    // Thousands of programs are checked in batches of one crate each, with seeds
    // `seed`, `seed + 1`, ..., so any batch can be rerun on its own.
    let mut failed = 0;
    let mut total = 0;
    let (mut hvp, mut hvp_failed) = (0, 0);
    let batches = args.count.div_ceil(args.batch);
    for b in 0..batches {
        let count = args.batch.min(args.count - b * args.batch);
        let mut config = Config::new(
            &args.name,
            args.seed + b as u64,
            count,
            args.families.clone(),
        );
        config.release = args.release;
        config.shrink_rounds = args.shrink;
        config.shrink_budget = std::time::Duration::from_secs(args.shrink_seconds);
        match run(&config) {
            Ok(report) => {
                println!("{}", report.to_markdown());
                failed += report.failures();
                total += report.outcomes.len();
                let (checked, failed) = report.hvp_checked();
                hvp += checked;
                hvp_failed += failed;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{total} programs, {failed} failed; {hvp} hvp-checked, {hvp_failed} of them failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
