//! A model's field read in arithmetic with an integer parameter is an integer (`m.stride *
//! i` of `stride: usize`); with a float of the same name that rebinds that parameter it is a
//! differentiated number. A `let tf = tf as f64;` (tantivy's BM25 weight), a closure's
//! parameter or a loop's pattern named like an integer parameter once made the fields it
//! multiplied data, their gradient silently zero (a probe found it, NLP scoring).

use autodiff::{grad, Params};

#[derive(Clone, Copy, Debug, Params)]
pub struct Bm25Weight {
    weight: f64,
    avgdl: f64,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

#[grad(m)]
fn score(m: &Bm25Weight, len: u32, tf: u32) -> f64 {
    let len = len as f64;
    let tf = tf as f64;
    m.weight * tf / (tf + K1 * (1.0 - B + B * len / m.avgdl))
}

/// The same, with locals of their own names: the reference.
fn score_by_hand(m: &Bm25Weight, len: u32, tf: u32) -> (f64, f64) {
    let (l, t) = (len as f64, tf as f64);
    let denom = t + K1 * (1.0 - B + B * l / m.avgdl);
    let d_weight = t / denom;
    let d_avgdl = m.weight * t / (denom * denom) * K1 * B * l / (m.avgdl * m.avgdl);
    (d_weight, d_avgdl)
}

#[test]
fn an_integer_parameter_rebound_as_a_float_multiplies_differentiated_fields() {
    let m = Bm25Weight {
        weight: 8.0,
        avgdl: 100.0,
    };
    for (len, tf) in [(130, 3), (40, 1), (250, 12)] {
        let (value, d) = score_grad(&m, len, tf);
        assert_eq!(value, score(&m, len, tf));
        let (d_weight, d_avgdl) = score_by_hand(&m, len, tf);
        assert!((d.weight - d_weight).abs() < 1e-12, "{len} {tf}");
        assert!((d.avgdl - d_avgdl).abs() < 1e-12, "{len} {tf}");
        assert!(d.avgdl != 0.0);
    }
}

#[grad(m)]
fn closure_rebinds(m: &Bm25Weight, xs: &[f64], tf: u32) -> f64 {
    let s: f64 = xs.iter().map(|&tf| m.weight * tf).sum();
    s + tf as f64
}

#[grad(m)]
fn loop_rebinds(m: &Bm25Weight, xs: &[f64], tf: usize) -> f64 {
    let mut s = 0.0;
    for &tf in xs.iter() {
        s += m.avgdl * tf;
    }
    // (the parameter again, an index)
    s + m.weight * xs[tf]
}

#[test]
fn closure_parameters_and_loop_patterns_rebind_integer_names() {
    let m = Bm25Weight {
        weight: 2.0,
        avgdl: 3.0,
    };
    let xs = [1.0, 2.5, -0.5];
    let (_, d) = closure_rebinds_grad(&m, &xs, 3);
    assert_eq!((d.weight, d.avgdl), (3.0, 0.0));
    let (_, d) = loop_rebinds_grad(&m, &xs, 1);
    assert_eq!((d.weight, d.avgdl), (2.5, 3.0));
}

#[derive(Clone, Debug, Params)]
pub struct Strided {
    w: Vec<f64>,
    #[params(skip)]
    stride: usize,
}

/// A field in arithmetic with an integer parameter is still an integer where no `let`
/// rebinds it.
#[grad(m)]
fn strided(m: &Strided, i: usize) -> f64 {
    let at = m.stride * i;
    let tf = i as f64;
    m.w[at] * tf + m.w[m.stride + i]
}

#[test]
fn a_field_beside_an_integer_parameter_stays_an_integer() {
    let m = Strided {
        w: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        stride: 2,
    };
    let (value, d) = strided_grad(&m, 1);
    assert_eq!(value, 3.0 * 1.0 + 4.0);
    assert_eq!(d.w, vec![0.0, 0.0, 1.0, 1.0, 0.0]);
}
