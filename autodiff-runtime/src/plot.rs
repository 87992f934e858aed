//! Loss curves: a [`TrainReport`]'s training loss per epoch and its metric drawn as an SVG
//! with plotters. A minimized metric (a held-out loss) shares the loss axis, so the two
//! losses compare at a glance; a maximized one (an accuracy) gets an axis on the right. The
//! best epoch and an early stop are marked.
//!
//! ```
//! use autodiff_runtime::plot::LossPlot;
//! use autodiff_runtime::train::{Goal, StopReason, TrainReport};
//!
//! let report = TrainReport {
//!     loss: vec![0.9, 0.5, 0.3, 0.25],
//!     metric: vec![0.6, 0.8, 0.9, 0.92],
//!     metric_name: Some("test accuracy".into()),
//!     metric_goal: Some(Goal::Maximize),
//!     learning_rate: vec![0.1; 4],
//!     epoch_seconds: vec![0.01; 4],
//!     best_epoch: 3,
//!     steps: 40,
//!     stop: StopReason::Completed,
//! };
//! let path = std::env::temp_dir().join("autodiff-doc-loss.svg");
//! let written = LossPlot::new(&report).with_title("logistic regression").save(&path)?;
//! assert!(std::fs::read_to_string(&written).unwrap().contains("<svg"));
//! # std::fs::remove_file(&written).unwrap();
//! # Ok::<(), autodiff_runtime::Error>(())
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::{RangedCoordf64, RangedCoordu32};
use plotters::prelude::*;

use crate::train::{Goal, StopReason, TrainReport};
use crate::{Error, Result};

/// Draws [`save_loss_curve`] with a title and size of your choice.
///
/// The loss axis is logarithmic when every loss on it is positive and they span more than two
/// orders of magnitude, linear otherwise. Non-finite values are left out. A dashed line marks
/// the best epoch (the one early stopping's restore-best keeps) and, when training stopped
/// early, a dotted one the last epoch.
#[derive(Clone, Debug)]
pub struct LossPlot<'a> {
    report: &'a TrainReport,
    title: String,
    size: (u32, u32),
}

impl<'a> LossPlot<'a> {
    /// A plot of `report`, titled "training", 800 x 500 pixels.
    pub fn new(report: &'a TrainReport) -> Self {
        LossPlot {
            report,
            title: "training".to_string(),
            size: (800, 500),
        }
    }

    /// The caption above the chart.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Width and height in pixels.
    #[must_use]
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Writes the SVG to `path` (replacing it) and returns the path.
    ///
    /// # Errors
    ///
    /// [`Error::Plot`] if the report has no finite loss, if the size is 0, or if drawing or
    /// writing the file fails (e.g. the directory does not exist).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let path = path.as_ref();
        let fail = |e: &dyn std::fmt::Display| Error::Plot(format!("{}: {e}", path.display()));
        let loss = points(&self.report.loss);
        if loss.is_empty() {
            return Err(fail(&"the report has no finite loss to plot"));
        }
        // a held-out loss goes on the loss axis
        let shared = self.report.metric_goal == Some(Goal::Minimize);
        let on_loss_axis = if shared {
            [loss.clone(), points(&self.report.metric)].concat()
        } else {
            loss.clone()
        };
        let Some(loss_range) = value_range(&on_loss_axis) else {
            return Err(fail(&"the report has no finite loss to plot"));
        };
        if self.size.0 == 0 || self.size.1 == 0 {
            return Err(fail(&"the plot size must not be 0"));
        }
        let epochs = self.report.loss.len().max(self.report.metric.len());
        let x_range = 1..epochs.max(2) as u32;
        let root = SVGBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let positive = on_loss_axis.iter().all(|&(_, l)| l > 0.0);
        let drawn = if positive && loss_range.end > 100.0 * loss_range.start {
            let y = (loss_range.start / 1.5..loss_range.end * 1.5).log_scale();
            self.draw(&root, x_range, y, &loss, shared)
        } else {
            self.draw(&root, x_range, pad(loss_range), &loss, shared)
        };
        drawn.map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
        Ok(path.to_path_buf())
    }

    fn draw<DB, Y>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        x_range: Range<u32>,
        y_range: Y,
        loss: &[(u32, f64)],
        shared: bool,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>
    where
        DB: DrawingBackend,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let metric = points(&self.report.metric);
        // the right axis, for a metric that does not share the loss axis
        let metric_range = value_range(&metric).filter(|_| !shared).map(pad);
        let name = self.report.metric_name.as_deref().unwrap_or("metric");
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", TITLE_FONT))
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(85)
            .right_y_label_area_size(if metric_range.is_some() { 85 } else { 0 })
            .build_cartesian_2d(x_range.clone(), y_range)?
            .set_secondary_coord(
                RangedCoordu32::from(x_range),
                RangedCoordf64::from(metric_range.clone().unwrap_or(0.0..1.0)),
            );
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(if shared { "loss" } else { "training loss" })
            .y_label_formatter(&|v| tick(*v))
            .label_style(("sans-serif", LABEL_FONT))
            .axis_desc_style(("sans-serif", LABEL_FONT + 2))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let Range {
            start: low,
            end: high,
        } = chart.y_range();
        for (epoch, text, dash) in self.marks() {
            let x = epoch as u32 + 1;
            let style = BLACK.mix(0.6).stroke_width(1);
            chart.draw_series(DashedLineSeries::new(
                [(x, low), (x, high)],
                dash,
                dash,
                style,
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(" {text}"),
                (x, high),
                ("sans-serif", LABEL_FONT)
                    .into_font()
                    .color(&BLACK.mix(0.8)),
            )))?;
        }
        chart
            .draw_series(LineSeries::new(loss.iter().copied(), BLUE.stroke_width(2)))?
            .label("training loss")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        if loss.len() <= MARKERS_UP_TO {
            chart.draw_series(loss.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?;
        }
        if shared && !metric.is_empty() {
            chart
                .draw_series(LineSeries::new(metric.iter().copied(), RED.stroke_width(2)))?
                .label(name)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
            if metric.len() <= MARKERS_UP_TO {
                chart.draw_series(metric.iter().map(|&p| Circle::new(p, 3, RED.filled())))?;
            }
        }
        if metric_range.is_some() {
            chart
                .configure_secondary_axes()
                .y_desc(name)
                .y_label_formatter(&|v| tick(*v))
                .label_style(("sans-serif", LABEL_FONT))
                .axis_desc_style(("sans-serif", LABEL_FONT + 2))
                .draw()?;
            if metric.len() <= MARKERS_UP_TO {
                chart.draw_secondary_series(
                    metric.iter().map(|&p| Circle::new(p, 3, RED.filled())),
                )?;
            }
            chart
                .draw_secondary_series(LineSeries::new(metric, RED.stroke_width(2)))?
                .label(name)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            // a falling loss leaves the upper right free; a rising metric fills it
            .position(if metric_range.is_some() {
                SeriesLabelPosition::MiddleRight
            } else {
                SeriesLabelPosition::UpperRight
            })
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", LABEL_FONT))
            .draw()?;
        Ok(())
    }

    /// The epochs to mark (0-based), their label and dash length: the best epoch, and the
    /// last one when training stopped before its epochs ran out.
    fn marks(&self) -> Vec<(usize, &'static str, u32)> {
        let mut marks = vec![(self.report.best_epoch, "best", 6)];
        match self.report.stop {
            StopReason::EarlyStopped { epoch } | StopReason::Callback { epoch } => {
                marks.push((epoch, "stopped", 2));
            }
            StopReason::Completed => {}
        }
        marks
    }
}

/// Font sizes in pixels: the title, and the tick labels, axis names and legend.
const TITLE_FONT: u32 = 28;
const LABEL_FONT: u32 = 17;

/// Writes the training loss (and the metric, if the report has one) per epoch of `report` as
/// an SVG at `path`, and returns the path. See [`LossPlot`] for a title and a size.
///
/// # Errors
///
/// As [`LossPlot::save`].
pub fn save_loss_curve(report: &TrainReport, path: impl AsRef<Path>) -> Result<PathBuf> {
    LossPlot::new(report).save(path)
}

/// Short runs get a dot on every epoch (a single epoch is not a line).
const MARKERS_UP_TO: usize = 50;

/// A tick label: plain decimals for moderate magnitudes, short scientific notation otherwise
/// (a log axis's 1e-5 is computed as 9.999999999e-6).
fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((mantissa, exponent)) => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
            None => s,
        }
    }
}

/// (1-based epoch, value) for every finite value.
fn points(values: &[f64]) -> Vec<(u32, f64)> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, &v)| (i as u32 + 1, v))
        .collect()
}

fn value_range(points: &[(u32, f64)]) -> Option<Range<f64>> {
    let mut values = points.iter().map(|&(_, v)| v);
    let first = values.next()?;
    Some(values.fold(first..first, |r, v| r.start.min(v)..r.end.max(v)))
}

/// The range widened by 5% on each side (or by 1 / 10% of the value when it is a point).
fn pad(range: Range<f64>) -> Range<f64> {
    let width = range.end - range.start;
    let margin = if width > 0.0 {
        0.05 * width
    } else if range.start != 0.0 {
        0.1 * range.start.abs()
    } else {
        1.0
    };
    range.start - margin..range.end + margin
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::StopReason;

    fn report(loss: Vec<f64>, metric: Vec<f64>) -> TrainReport {
        let n = loss.len();
        TrainReport {
            metric_name: (!metric.is_empty()).then(|| "held-out accuracy".to_string()),
            metric_goal: (!metric.is_empty()).then_some(Goal::Maximize),
            loss,
            metric,
            learning_rate: vec![0.1; n],
            epoch_seconds: vec![0.01; n],
            best_epoch: 0,
            steps: n,
            stop: StopReason::Completed,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("autodiff-plot-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_an_svg_with_loss_and_metric() {
        let dir = temp_dir("metric");
        let path = dir.join("loss.svg");
        let r = report(vec![1.0, 0.6, 0.4, 0.35], vec![0.5, 0.7, 0.8, f64::NAN]);
        let written = LossPlot::new(&r)
            .with_title("iris softmax")
            .with_size(640, 400)
            .save(&path)
            .unwrap();
        assert_eq!(written, path);
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("<svg"));
        for text in [
            "iris softmax",
            "training loss",
            "held-out accuracy",
            "epoch",
        ] {
            assert!(svg.contains(text), "missing `{text}`");
        }
        assert!(svg.contains("width=\"640\""));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writes_an_svg_without_metric_and_with_a_log_axis() {
        let dir = temp_dir("log");
        // a single epoch and a loss spanning six decades (log axis)
        for (name, loss) in [("one.svg", vec![0.5]), ("log.svg", vec![10.0, 1e-2, 1e-5])] {
            let path = save_loss_curve(&report(loss, vec![]), dir.join(name)).unwrap();
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(svg.contains("<svg") && svg.contains("training loss"));
            assert!(!svg.contains("held-out accuracy"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The texts of an SVG, trimmed.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("</text>")
            .filter_map(|part| part.rsplit_once('>'))
            .map(|(_, text)| text.trim().to_string())
            .collect()
    }

    #[test]
    fn a_held_out_loss_shares_the_loss_axis_and_epochs_are_marked() {
        let dir = temp_dir("shared");
        let texts_of = |r: &TrainReport, name: &str| {
            let path = LossPlot::new(r).save(dir.join(name)).unwrap();
            texts(&std::fs::read_to_string(path).unwrap())
        };
        let count = |texts: &[String], want: &str| texts.iter().filter(|t| *t == want).count();
        // a held-out loss 13x the training loss: one axis named "loss", the held-out loss
        // named once (in the legend)
        let mut held_out = report(vec![0.1, 0.02, 0.01], vec![0.5, 0.3, 0.13]);
        held_out.metric_name = Some("held-out loss".into());
        held_out.metric_goal = Some(Goal::Minimize);
        held_out.best_epoch = 2;
        let texts = texts_of(&held_out, "shared.svg");
        assert_eq!(count(&texts, "held-out loss"), 1, "{texts:?}");
        assert_eq!(count(&texts, "loss"), 1, "{texts:?}");
        assert_eq!((count(&texts, "best"), count(&texts, "stopped")), (1, 0));
        // an accuracy: its own axis on the right, named there and in the legend
        let mut accuracy = report(vec![0.1, 0.02, 0.01], vec![0.5, 0.7, 0.65]);
        accuracy.best_epoch = 1;
        accuracy.stop = StopReason::EarlyStopped { epoch: 2 };
        let texts = texts_of(&accuracy, "right.svg");
        assert_eq!(count(&texts, "held-out accuracy"), 2, "{texts:?}");
        assert_eq!((count(&texts, "best"), count(&texts, "stopped")), (1, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tick_labels_are_short() {
        let cases = [
            (0.0, "0"),
            (0.25, "0.25"),
            (12.5, "12.5"),
            (-3.0, "-3"),
            (9.999999999e-6, "1e-5"),
            (2.5e-7, "2.5e-7"),
            (1.5e6, "1.5e6"),
        ];
        for (v, want) in cases {
            assert_eq!(tick(v), want, "{v}");
        }
    }

    #[test]
    fn bad_input_is_a_plot_error() {
        let dir = temp_dir("errors");
        let nowhere = dir.join("missing-dir").join("loss.svg");
        let ok = report(vec![1.0, 0.5], vec![]);
        for (r, path, size) in [
            (report(vec![], vec![]), dir.join("a.svg"), (800, 500)),
            (
                report(vec![f64::NAN], vec![]),
                dir.join("b.svg"),
                (800, 500),
            ),
            (ok.clone(), nowhere, (800, 500)),
            (ok, dir.join("c.svg"), (0, 500)),
        ] {
            match LossPlot::new(&r).with_size(size.0, size.1).save(&path) {
                Err(Error::Plot(msg)) => assert!(msg.contains(".svg"), "{msg}"),
                other => panic!("expected a plot error, got {other:?}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
