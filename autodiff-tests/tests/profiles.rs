//! Debug and release builds give bit-identical gradients.

#[path = "common/problems.rs"]
mod problems;

use std::process::Command;

#[test]
fn debug_and_release_gradients_are_bit_identical() {
    let debug: Vec<u64> = problems::gradients().iter().map(|g| g.to_bits()).collect();
    let output = Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "--bin", "fingerprint"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "release build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let release: Vec<u64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| u64::from_str_radix(l, 16).expect("hex bits"))
        .collect();
    assert_eq!(release.len(), debug.len());
    assert!(debug.len() > 200);
    for (i, (d, r)) in debug.iter().zip(&release).enumerate() {
        assert_eq!(
            d,
            r,
            "entry {i}: debug {} vs release {}",
            f64::from_bits(*d),
            f64::from_bits(*r)
        );
    }
}
