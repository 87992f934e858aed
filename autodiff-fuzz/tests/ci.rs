//! The CI run: a small fixed seed with the families the macro supports today. Every program
//! must compile, match the dual-number oracle, and give the same numbers in debug and release.

use autodiff_fuzz::{run, Config, Family};

#[test]
fn fixed_seed_supported_families() {
    let config = Config::new("ci", 1, 32, Family::SUPPORTED.to_vec());
    let report = run(&config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.outcomes.len(), 32);
    assert_eq!(report.failures(), 0, "\n{}", report.to_markdown());
}
