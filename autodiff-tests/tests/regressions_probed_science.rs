//! Forms of scientific code copied from public crates (astronomy's series tables, rating
//! systems, curve geometry) that a probe found failing to compile or rejected, each the
//! minimal form of its class: a `const` table of structs that are not `Copy` iterated with
//! `.iter()` (VSOP87-style terms, astro-rust: its items were moved out, E0508 inside the
//! generated code).

use autodiff::grad;

/// One term `a cos(b + c τ)` of a truncated VSOP87 series; not `Copy`, as astro-rust's are
/// not.
pub struct Term {
    a: f64,
    b: f64,
    c: f64,
}

const L0: [Term; 2] = [
    Term {
        a: 1.75e8,
        b: 0.0,
        c: 0.0,
    },
    Term {
        a: 3.3e6,
        b: 4.669,
        c: 6283.07,
    },
];

#[grad]
fn series(tau: f64) -> f64 {
    let mut s = 0.0;
    for t in L0.iter() {
        s += t.a * (t.b + t.c * tau).cos();
    }
    s
}

#[grad]
fn series_by_chain(tau: f64) -> f64 {
    L0.iter().map(|t| t.a * (t.b + t.c * tau).cos()).sum()
}

#[test]
fn a_table_of_terms_that_are_not_copy() {
    for tau in [-0.2, 0.0, 0.3, 1.7] {
        let slope: f64 = L0
            .iter()
            .map(|t| -t.a * t.c * (t.b + t.c * tau).sin())
            .sum();
        let (value, d) = series_grad(tau);
        assert_eq!(value, series(tau));
        assert!(
            (d - slope).abs() <= 1e-12 * slope.abs().max(1.0),
            "{d} vs {slope}"
        );
        let (value, d) = series_by_chain_grad(tau);
        assert_eq!(value, series(tau));
        assert!(
            (d - slope).abs() <= 1e-12 * slope.abs().max(1.0),
            "{d} vs {slope}"
        );
    }
}
