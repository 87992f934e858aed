//! Benchmarks only: see `benches/` and `tests/`.
