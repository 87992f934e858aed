//! Prints the bit patterns of a set of gradients (tests/common/problems.rs). The test
//! `tests/profiles.rs` builds this in release and compares with its own debug build:
//! compiler optimizations must not change a gradient.

#[path = "../../tests/common/problems.rs"]
mod problems;

fn main() {
    for g in problems::gradients() {
        println!("{:016x}", g.to_bits());
    }
}
