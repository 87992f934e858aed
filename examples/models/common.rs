//! Data preparation and result printing shared by the training examples (and their tests and
//! benches, which include this file with `#[path]`).
#![allow(dead_code)] // each including target uses a part

use autodiff::data::{Dataset, Standardizer};
use autodiff::train::TrainReport;

/// A seeded, stratified 80/20 split; the scaling is fitted on the training split only
/// (constant features, such as the digits' always-0 pixels, just become 0).
pub fn standardized_split(data: Dataset) -> Result<(Dataset, Dataset), autodiff::Error> {
    let (train, test) = data.stratified_split(0.2, 0)?;
    let scaler = Standardizer::fit(&train);
    Ok((scaler.transform(&train)?, scaler.transform(&test)?))
}

/// The final training loss and held-out metric of `report`, and when the held-out metric
/// first reached `target`, with the wall time of the epochs up to then (their held-out
/// evaluation included).
pub fn print_final(report: &TrainReport, target: f64) {
    println!(
        "final training loss: {:.4}",
        report.final_loss().unwrap_or(f64::NAN)
    );
    println!(
        "held-out accuracy:   {:.4}",
        report.final_metric().unwrap_or(f64::NAN)
    );
    if let Some(first) = report.metric.iter().position(|&a| a >= target) {
        println!(
            "accuracy >= {target} first reached after epoch {} ({:.1} ms)",
            first + 1,
            report.epoch_seconds[..=first].iter().sum::<f64>() * 1e3
        );
    }
}
