//! Scratch vectors rewritten in every iteration of a loop and read many times in loops nested
//! in it (ADBench's `xcentered`): the loop copies the vector once per iteration and the reverse
//! iteration reads the copy, instead of taping every read. Each gradient is checked against
//! central finite differences; look-alikes where a copy would be wrong (the vector written
//! after the reads, read before it is written) check that the reads stay right. Where the
//! iteration fills the vector whole with a cheap loop, the reverse iteration runs that loop
//! again instead of reading a copy (`refilled`, and look-alikes where it must not).

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_close, assert_matches_fd, Rng};

/// ADBench's shape: per component, `c = x - mean` into a scratch vector, then a triangular
/// product that reads `c[i]` in a nested loop, and a sum of squares.
#[grad(means, lower)]
fn triangular(d: usize, k: usize, x: &[f64], means: &[f64], lower: &[f64]) -> f64 {
    let mut c = vec![0.0; d];
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    let mut at = 0;
    for ik in 0..k {
        for i in 0..d {
            c[i] = x[i] - means[ik * d + i];
        }
        for i in 0..d {
            y[i] = 2.0 * c[i];
        }
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[at] * c[i];
                at += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += y[i] * y[i];
        }
        total += (-0.5 * sq).exp();
    }
    total.ln()
}

/// `triangular` with its component loop checkpointed, and with second derivatives: the copies
/// are taken again when a segment is replayed, and on dual numbers.
#[grad(means, lower, modes(hvp))]
fn triangular_checkpointed(d: usize, k: usize, x: &[f64], means: &[f64], lower: &[f64]) -> f64 {
    let mut c = vec![0.0; d];
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    let mut at = 0;
    #[checkpoint]
    for ik in 0..k {
        for i in 0..d {
            c[i] = x[i] - means[ik * d + i];
        }
        for i in 0..d {
            y[i] = 2.0 * c[i];
        }
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[at] * c[i];
                at += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += y[i] * y[i];
        }
        total += (-0.5 * sq).exp();
    }
    total.ln()
}

/// The scratch vector is written again after the nested reads in the same iteration: the
/// reads see the first values, so they cannot come from an end-of-iteration copy.
#[grad]
fn written_after_reads(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n];
    let mut total = 0.0;
    for r in 0..3 {
        for i in 0..n {
            s[i] = w[i] * (r as f64 + 1.0);
        }
        for i in 0..n {
            for j in 0..n {
                total += s[i] * s[j].sin();
            }
        }
        for i in 0..n {
            s[i] = s[i].cos();
        }
    }
    total
}

/// Reads in a nested loop before the iteration writes the vector (the previous iteration's
/// values), then writes: no copy applies.
#[grad]
fn read_before_write(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![1.0; n];
    let mut total = 0.0;
    for _ in 0..3 {
        for i in 0..n {
            for j in 0..n {
                total += s[i] * s[j] * w[j];
            }
        }
        for i in 0..n {
            s[i] = (s[i] * w[i]).tanh();
        }
    }
    total
}

/// Reads in a branch of a doubly nested loop, the vector written at the top of a `while`
/// loop's body.
#[grad]
fn nested_while(w: &[f64], t: f64) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n];
    let mut total = 0.0;
    let mut round = 0;
    while round < 4 {
        for i in 0..n {
            s[i] = (w[i] * t + round as f64).sin();
        }
        for a in 0..2 {
            for i in 0..n {
                if s[i] > 0.0 {
                    total += s[i] * w[(i + a) % n];
                } else {
                    total -= s[i] * s[i] * t;
                }
            }
        }
        round += 1;
    }
    total
}

/// Filled whole over `0..c.len()` from a value of the iteration the reverse sweep tapes (`s`,
/// an `exp`) and one it recomputes (`at`), then read at the counter of the loops after it, a
/// nested one included: their merged reverse computes `c[i]` again instead of reading a copy.
/// On dual numbers too.
#[grad(w, modes(hvp))]
fn refilled(w: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    let mut c = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut product = 1.0;
    for r in 0..3 {
        let s = w[r % w.len()].exp();
        let at = r * n;
        for i in 0..c.len() {
            c[i] = s * x[i] - w[(at + i) % w.len()];
        }
        for i in 0..n {
            y[i] = c[i].sin();
        }
        for i in 0..n {
            for j in i + 1..n {
                y[j] += c[i] * w[j % w.len()];
            }
        }
        let mut q = 0.0;
        for i in 0..n {
            q += y[i] * y[i];
        }
        product *= 1.0 + 0.1 * q;
    }
    product
}

/// Look-alikes of `refilled` where computing `c[i]` again would be wrong or dear, so the loop
/// copies `c`: the fill leaves the last element as the previous iteration wrote it
/// (`partly_filled`), reads a local array written after it (`filled_from_moving`), or is
/// followed by another write (`filled_then_written`); it computes an `exp` per element
/// (`costly_fill`); or the nested loop reads `c[j]`, not at a counter of the merged loops
/// (`read_elsewhere`).
macro_rules! look_alike {
    ($name:ident, |$c:ident, $m:ident, $w:ident, $n:ident, $scale:ident, $i:ident, $j:ident| { $($fill:tt)* } $read:ident) => {
        #[grad($w)]
        fn $name($w: &[f64]) -> f64 {
            let $n = $w.len();
            let mut $c = vec![0.5; $n];
            let mut $m = vec![1.0; $n];
            let mut y = vec![0.0; $n];
            let mut product = 1.0;
            for r in 0..3 {
                let $scale = r as f64 + 1.0;
                $($fill)*
                for $i in 0..$n {
                    y[$i] = $c[$i].sin();
                }
                for $i in 0..$n {
                    for $j in $i + 1..$n {
                        y[$j] += $c[$read] * $w[$j];
                    }
                }
                let mut q = 0.0;
                for i in 0..$n {
                    q += y[i] * y[i];
                    $m[i] += 0.5 * y[i];
                }
                product *= 1.0 + 0.1 * q;
            }
            product
        }
    };
}

look_alike!(partly_filled, |c, m, w, n, scale, i, j| {
    for i in 0..n - 1 {
        c[i] = w[i] * scale;
    }
} i);
look_alike!(filled_from_moving, |c, m, w, n, scale, i, j| {
    for i in 0..n {
        c[i] = w[i] * m[i] * scale;
    }
} i);
look_alike!(filled_then_written, |c, m, w, n, scale, i, j| {
    for i in 0..n {
        c[i] = w[i] * scale;
    }
    c[0] *= c[n - 1];
} i);
look_alike!(costly_fill, |c, m, w, n, scale, i, j| {
    for i in 0..n {
        c[i] = (w[i] * scale).exp();
    }
} i);
look_alike!(read_elsewhere, |c, m, w, n, scale, i, j| {
    for i in 0..n {
        c[i] = w[i] * scale;
    }
} j);

/// A reference gradient for `triangular` from its definition, by hand: the loss is
/// ln Σ_k exp(-|y_k|²/2) with y_k = L_k c_k, c_k = x - mean_k, L_k lower triangular
/// with 2 on its diagonal.
fn triangular_by_hand(d: usize, k: usize, x: &[f64], means: &[f64], lower: &[f64]) -> Vec<f64> {
    let tri = d * (d - 1) / 2;
    let mut terms = Vec::new();
    let mut ys = Vec::new();
    let mut cs = Vec::new();
    for ik in 0..k {
        let c: Vec<f64> = (0..d).map(|i| x[i] - means[ik * d + i]).collect();
        let mut y: Vec<f64> = c.iter().map(|v| 2.0 * v).collect();
        let mut at = ik * tri;
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[at] * c[i];
                at += 1;
            }
        }
        terms.push((-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp());
        ys.push(y);
        cs.push(c);
    }
    let total: f64 = terms.iter().sum();
    let mut g = vec![0.0; means.len() + lower.len()];
    for ik in 0..k {
        // d ln(total) / d y_k = -(term_k / total) y_k
        let w = terms[ik] / total;
        let dy: Vec<f64> = ys[ik].iter().map(|v| -w * v).collect();
        let mut dc: Vec<f64> = dy.iter().map(|v| 2.0 * v).collect();
        let mut at = ik * tri;
        for i in 0..d {
            for j in i + 1..d {
                g[means.len() + at] += dy[j] * cs[ik][i];
                dc[i] += lower[at] * dy[j];
                at += 1;
            }
        }
        for i in 0..d {
            g[ik * d + i] -= dc[i];
        }
    }
    g
}

#[test]
fn triangular_matches_hand_and_finite_differences() {
    let mut rng = Rng::new(11);
    for (d, k) in [(1, 1), (2, 3), (4, 2), (6, 5)] {
        let x = rng.vec(d, -1.0, 1.0);
        let means = rng.vec(k * d, -1.0, 1.0);
        let lower = rng.vec(k * d * (d - 1) / 2, -0.5, 0.5);
        let (value, (d_means, d_lower)) = triangular_grad(d, k, &x, &means, &lower);
        assert_close(value, triangular(d, k, &x, &means, &lower), 1e-14);
        let analytic: Vec<f64> = d_means.iter().chain(&d_lower).copied().collect();
        let hand = triangular_by_hand(d, k, &x, &means, &lower);
        for (a, h) in analytic.iter().zip(&hand) {
            assert_close(*a, *h, 1e-12);
        }
        let m = means.len();
        let f = |p: &[f64]| triangular(d, k, &x, &p[..m], &p[m..]);
        let p: Vec<f64> = means.iter().chain(&lower).copied().collect();
        assert_matches_fd(&f, &p, &analytic, "triangular");
    }
}

#[test]
fn reads_the_copy_only_where_it_holds_what_they_read() {
    let mut rng = Rng::new(12);
    for n in [1, 2, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let (_, g) = written_after_reads_grad(&w);
        assert_matches_fd(
            &|p: &[f64]| written_after_reads(p),
            &w,
            &g,
            "written_after_reads",
        );
        let (_, g) = read_before_write_grad(&w);
        assert_matches_fd(
            &|p: &[f64]| read_before_write(p),
            &w,
            &g,
            "read_before_write",
        );
        let t = rng.uniform(0.2, 1.5);
        let (_, (g_w, g_t)) = nested_while_grad(&w, t);
        let analytic: Vec<f64> = g_w.iter().copied().chain([g_t]).collect();
        let p: Vec<f64> = w.iter().copied().chain([t]).collect();
        let f = |p: &[f64]| nested_while(&p[..n], p[n]);
        assert_matches_fd(&f, &p, &analytic, "nested_while");
    }
}

#[test]
fn fills_run_again_only_where_they_make_what_the_copy_holds() {
    let mut rng = Rng::new(14);
    for n in [1, 2, 5] {
        let (w, x) = (rng.vec(n + 1, -1.0, 1.0), rng.vec(n, -1.0, 1.0));
        let (_, g) = refilled_grad(&w, &x);
        assert_matches_fd(&|p: &[f64]| refilled(p, &x), &w, &g, "refilled");
        // Hv against central differences of the gradient along v.
        let v = rng.vec(w.len(), -1.0, 1.0);
        let (_, _, hv) = refilled_hvp(&w, &x, &v);
        let h = 1e-5;
        let shifted = |s: f64| {
            let p: Vec<f64> = w.iter().zip(&v).map(|(a, v)| a + s * v).collect();
            refilled_grad(&p, &x).1
        };
        let (plus, minus) = (shifted(h), shifted(-h));
        for i in 0..w.len() {
            assert_close(hv[i], (plus[i] - minus[i]) / (2.0 * h), 1e-6);
        }
        type LookAlike = fn(&[f64]) -> f64;
        type Gradient = fn(&[f64]) -> (f64, Vec<f64>);
        let look_alikes: [(LookAlike, Gradient, &str); 5] = [
            (partly_filled, partly_filled_grad, "partly_filled"),
            (filled_from_moving, filled_from_moving_grad, "moving"),
            (filled_then_written, filled_then_written_grad, "written"),
            (costly_fill, costly_fill_grad, "costly_fill"),
            (read_elsewhere, read_elsewhere_grad, "read_elsewhere"),
        ];
        for (f, grad, what) in look_alikes {
            assert_matches_fd(&f, &x, &grad(&x).1, what);
        }
    }
}

#[test]
fn copies_survive_checkpoints_and_dual_numbers() {
    let mut rng = Rng::new(13);
    for (d, k) in [(1, 3), (3, 4), (5, 9)] {
        let x = rng.vec(d, -1.0, 1.0);
        let means = rng.vec(k * d, -1.0, 1.0);
        let lower = rng.vec(k * d * (d - 1) / 2, -0.5, 0.5);
        // Bit-identical to the unmarked loop: the same operations in the same order.
        assert_eq!(
            triangular_checkpointed_grad(d, k, &x, &means, &lower),
            triangular_grad(d, k, &x, &means, &lower)
        );
        // Hv against central differences of the gradient along v.
        let v_means = rng.vec(means.len(), -1.0, 1.0);
        let v_lower = rng.vec(lower.len(), -1.0, 1.0);
        let (_, _, (hv_means, hv_lower)) =
            triangular_checkpointed_hvp(d, k, &x, &means, &lower, &v_means, &v_lower);
        let h = 1e-5;
        let shifted = |s: f64| {
            let m: Vec<f64> = means.iter().zip(&v_means).map(|(a, v)| a + s * v).collect();
            let l: Vec<f64> = lower.iter().zip(&v_lower).map(|(a, v)| a + s * v).collect();
            triangular_grad(d, k, &x, &m, &l).1
        };
        let ((pm, pl), (mm, ml)) = (shifted(h), shifted(-h));
        let numeric = pm
            .iter()
            .zip(&mm)
            .chain(pl.iter().zip(&ml))
            .map(|(p, m)| (p - m) / (2.0 * h));
        for (a, n) in hv_means.iter().chain(&hv_lower).zip(numeric) {
            assert!(
                (a - n).abs() <= 1e-6 * (1.0 + n.abs()),
                "Hv {a} vs finite differences {n}"
            );
        }
    }
}
