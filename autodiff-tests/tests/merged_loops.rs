//! Adjacent loops over the same range whose reverses run in one loop, and look-alikes whose
//! reverses must stay apart because one loop's reverse reads an adjoint the other changes at
//! other indices; and reads at an index a loop does not change, whose adjoint the reverse
//! sums in a local. Every gradient is checked against central finite differences.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// GMM's `Q (x - mean)`: the diagonal loop writes `y[i]`, the triangle adds into `y[j]` for
/// `j > i`. The reverses share one loop; the diagonal's zeroing of `d_y` waits for its end.
#[grad(q, lower)]
fn triangle_after_diagonal(q: &[f64], lower: &[f64], x: &[f64]) -> f64 {
    let d = q.len();
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = q[i].exp() * x[i];
    }
    let mut l = 0;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += lower[l] * x[i];
            l += 1;
        }
    }
    let mut total = 0.0;
    for i in 0..d {
        total += y[i].sin() * y[i];
    }
    total
}

/// ADBench's `xcentered`: three loops touching one scratch array at their counter only.
#[grad]
fn chained_at_the_counter(w: &[f64], m: &[f64]) -> f64 {
    let n = w.len();
    let mut c = vec![0.0; n];
    let mut q = vec![0.0; n];
    for i in 0..n {
        c[i] = w[i] - m[i];
    }
    for i in 0..n {
        q[i] = c[i] * m[i].cos();
    }
    for i in 0..n {
        q[i] += c[i] * c[i];
    }
    let mut s = 0.0;
    for i in 0..n {
        s += q[i] * q[(i + 1) % n];
    }
    s
}

/// Must stay apart: the second loop overwrites what the first added into, so the first's
/// additions reach nothing; merged with its zeroing postponed, they would.
#[grad]
#[allow(clippy::assign_op_pattern)]
fn overwritten_after_accumulating(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n];
    for i in 0..n {
        s[(i + 1) % n] = s[(i + 1) % n] + w[i] * w[i];
    }
    for i in 0..n {
        s[i] = w[i].sin();
    }
    let mut total = 0.0;
    for i in 0..n {
        total += s[i] * (i as f64 + 1.0);
    }
    total
}

/// Must stay apart: the second loop reads `s` at another index, so its reverse adds into
/// `d_s[i + 1]` after the first loop's reverse at `i + 1` has read it, if merged.
#[grad]
fn read_at_another_index(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n];
    for i in 0..n {
        s[i] = w[i] * w[i];
    }
    let mut total = 0.0;
    for i in 0..n {
        total += s[(i + 1) % n] * w[i];
    }
    total
}

/// Two loops that only read parameters: their reverses only add, and merge.
#[grad]
fn only_additions(w: &[f64]) -> f64 {
    let n = w.len();
    let mut a = 0.0;
    let mut b = 1.0;
    for i in 0..n {
        a += w[i] * w[(i + 2) % n];
    }
    for i in 0..n {
        b *= 1.0 + 0.1 * w[(i + 1) % n].tanh();
    }
    a * b
}

/// `c[i]` read in the loop over `j` (its adjoint summed through the loop), a parameter read
/// at a fixed index in a loop, and a look-alike: `acc[i]` read and written in the loop.
#[grad]
fn fixed_index_reads(w: &[f64], m: &[f64]) -> f64 {
    let n = w.len();
    let mut c = vec![0.0; n];
    let mut acc = vec![0.0; n];
    for i in 0..n {
        c[i] = w[i] * m[i];
    }
    let mut total = 0.0;
    for i in 0..n {
        for j in 0..n {
            total += c[i] * w[j].sin() + m[0] * w[j];
            acc[i] = acc[i] * 0.5 + c[i] * m[j];
        }
        total += acc[i] * acc[i];
    }
    total
}

#[test]
fn sums_of_fixed_index_reads_match_finite_differences() {
    let mut rng = Rng::new(23);
    for n in [1, 2, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let m = rng.vec(n, -1.0, 1.0);
        let (_, (d_w, d_m)) = fixed_index_reads_grad(&w, &m);
        let p = [&w[..], &m[..]].concat();
        let f = |p: &[f64]| fixed_index_reads(&p[..n], &p[n..]);
        assert_matches_fd(&f, &p, &[d_w, d_m].concat(), "fixed_index_reads");
    }
}

#[test]
fn merged_reverses_match_finite_differences() {
    let mut rng = Rng::new(21);
    for d in [1, 2, 3, 6] {
        let q = rng.vec(d, -0.5, 0.5);
        let lower = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let x = rng.vec(d, -1.0, 1.0);
        let (_, (d_q, d_lower)) = triangle_after_diagonal_grad(&q, &lower, &x);
        let p = [&q[..], &lower[..]].concat();
        let f = |p: &[f64]| triangle_after_diagonal(&p[..d], &p[d..], &x);
        assert_matches_fd(&f, &p, &[d_q, d_lower].concat(), "triangle_after_diagonal");

        let m = rng.vec(d, -1.0, 1.0);
        let (_, (d_w, d_m)) = chained_at_the_counter_grad(&x, &m);
        let p = [&x[..], &m[..]].concat();
        let f = |p: &[f64]| chained_at_the_counter(&p[..d], &p[d..]);
        assert_matches_fd(&f, &p, &[d_w, d_m].concat(), "chained_at_the_counter");
    }
}

#[test]
fn reverses_that_must_stay_apart_match_finite_differences() {
    let mut rng = Rng::new(22);
    for n in [1, 2, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let (_, g) = overwritten_after_accumulating_grad(&w);
        assert_matches_fd(
            &|w| overwritten_after_accumulating(w),
            &w,
            &g,
            "overwritten",
        );
        let (_, g) = read_at_another_index_grad(&w);
        assert_matches_fd(&|w| read_at_another_index(w), &w, &g, "another index");
        let (_, g) = only_additions_grad(&w);
        assert_matches_fd(&|w| only_additions(w), &w, &g, "only additions");
    }
}

// A scratch vector filled per sample by a merged run and read whole by the loop after it:
// that read's reverse writes the adjoint (`d_y[i] = ..`) and the zeroing after the merged
// loop goes (`reverse/overwrite.rs`). Look-alikes where the adjoint must still be added
// into: the vector read again after the samples, read over part of its length, filled by
// a fill that carries a derivative.

/// GMM's per-point `Q (x - mean)` and its squared norm, the scratch vector reused per sample.
#[grad(lower, diag)]
fn whitened_norms(lower: &[f64], diag: &[f64], xs: &[f64]) -> f64 {
    let d = diag.len();
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            y[i] = diag[i] * xs[s * d + i];
        }
        let mut l = 0;
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[l] * xs[s * d + i];
                l += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += y[i] * y[i];
        }
        total += sq.sqrt();
    }
    total
}

/// The same with a fixed-size scratch array, and the last sample's vector read afterwards.
#[grad(lower, diag)]
fn whitened_then_last(lower: &[f64; 3], diag: &[f64; 3], xs: &[f64]) -> f64 {
    let mut y = [0.0; 3];
    let mut total = 0.0;
    for s in 0..xs.len() / 3 {
        for i in 0..3 {
            y[i] = diag[i] * xs[s * 3 + i];
        }
        let mut l = 0;
        for i in 0..3 {
            for j in i + 1..3 {
                y[j] += lower[l] * xs[s * 3 + i];
                l += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..3 {
            sq += y[i] * y[i];
        }
        total += sq.sqrt();
    }
    total + y[0] * y[2]
}

/// Read over all but its last element: the adjoint of `y[d - 1]` is zero, not stale.
#[grad(lower, diag)]
fn whitened_partly(lower: &[f64], diag: &[f64], xs: &[f64]) -> f64 {
    let d = diag.len();
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            y[i] = diag[i] * xs[s * d + i];
        }
        let mut l = 0;
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[l] * xs[s * d + i];
                l += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..d - 1 {
            sq += y[i] * y[i];
        }
        total += (sq + 1.0).sqrt();
    }
    total
}

#[test]
fn scratch_adjoints_written_first_match_finite_differences() {
    let mut rng = Rng::new(41);
    for d in [1, 2, 3, 5] {
        let lower = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let diag = rng.vec(d, 0.5, 1.5);
        let xs = rng.vec(4 * d, -1.0, 1.0);
        let (_, (d_lower, d_diag)) = whitened_norms_grad(&lower, &diag, &xs);
        let split = lower.len();
        let p = [&lower[..], &diag[..]].concat();
        let f = |p: &[f64]| whitened_norms(&p[..split], &p[split..], &xs);
        assert_matches_fd(&f, &p, &[d_lower, d_diag].concat(), "whitened_norms");
        if d >= 2 {
            let (_, (d_lower, d_diag)) = whitened_partly_grad(&lower, &diag, &xs);
            let f = |p: &[f64]| whitened_partly(&p[..split], &p[split..], &xs);
            assert_matches_fd(&f, &p, &[d_lower, d_diag].concat(), "whitened_partly");
        }
    }
    let lower = [0.3, -0.5, 0.8];
    let diag = [1.2, 0.7, 0.9];
    let xs = rng.vec(12, -1.0, 1.0);
    let (_, (d_lower, d_diag)) = whitened_then_last_grad(&lower, &diag, &xs);
    let p = [&lower[..], &diag[..]].concat();
    let f = |p: &[f64]| whitened_then_last(&[p[0], p[1], p[2]], &[p[3], p[4], p[5]], &xs);
    assert_matches_fd(
        &f,
        &p,
        &[&d_lower[..], &d_diag[..]].concat(),
        "whitened_then_last",
    );
}

/// Two triangles accumulated into one vector after a store fills it: the two reverses share
/// one loop and only read `d_y` (at `j > i`), so nothing is to be zeroed. The merged loop
/// zeroed it afterwards all the same, and the store's reverse then read zeros: `d_p` and
/// `d_q` were wrong (found probing triangular code, minimal reproducer).
#[grad(p, l)]
fn two_triangles(p: &[f64], l: &[f64], q: &[f64]) -> f64 {
    let d = p.len();
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = p[i] * q[i];
    }
    let s0 = y[0] * 0.5;
    let mut k = 0;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += l[k] * p[i];
            k += 1;
        }
    }
    let mut k2 = 0;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += l[k2] * q[i];
            k2 += 1;
        }
    }
    let mut t = s0;
    for i in 0..d {
        t += y[i].sin();
    }
    t
}

#[test]
fn merged_reverses_that_only_read_zero_nothing() {
    let mut rng = Rng::new(7);
    for d in [1, 2, 4, 6] {
        let p = rng.vec(d, -1.0, 1.0);
        let l = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let q = rng.vec(d, -1.0, 1.0);
        let (_, (d_p, d_l)) = two_triangles_grad(&p, &l, &q);
        let split = p.len();
        let x = [&p[..], &l[..]].concat();
        let f = |x: &[f64]| two_triangles(&x[..split], &x[split..], &q);
        assert_matches_fd(&f, &x, &[d_p, d_l].concat(), "two_triangles");
    }
}

/// A norm loop after triangles that read `y[j]` for `j` from `i` on, and for `j` below `i`:
/// the first shares the norm's reverse loop (running down, `d_y[j]` has its addition before
/// any read), the second must not (its reads at `j < i` would come before the additions).
#[grad(p, l)]
fn upper_and_lower(p: &[f64], l: &[f64]) -> f64 {
    let d = p.len();
    let mut y = vec![0.0; d];
    let mut z = vec![0.0; d];
    for i in 0..d {
        y[i] = p[i].sin();
        z[i] = p[i] * p[i];
    }
    let mut k = 0;
    for i in 0..d {
        for j in i..d {
            y[j] += l[k % l.len()] * p[i];
            k += 1;
        }
    }
    let mut upper = 0.0;
    for i in 0..d {
        upper += y[i] * y[i];
    }
    let mut k2 = 0;
    for i in 0..d {
        for j in 0..i {
            z[j] += l[k2 % l.len()] * p[i];
            k2 += 1;
        }
    }
    let mut lower = 0.0;
    for i in 0..d {
        lower += z[i] * z[i];
    }
    upper.sqrt() + lower.ln_1p()
}

#[test]
fn norms_after_triangles_match_finite_differences() {
    let mut rng = Rng::new(12);
    for d in [1, 2, 3, 6] {
        let p = rng.vec(d, -1.0, 1.0);
        let l = rng.vec(4, -1.0, 1.0);
        let (_, (d_p, d_l)) = upper_and_lower_grad(&p, &l);
        let x = [&p[..], &l[..]].concat();
        let f = |x: &[f64]| upper_and_lower(&x[..d], &x[d..]);
        assert_matches_fd(&f, &x, &[d_p, d_l].concat(), "upper_and_lower");
    }
}

// A scratch vector stored and then read at the counter by the loops of a merged run, per
// sample, and nowhere else: the adjoint of `c[i]` lives in a local of the merged reverse
// iteration (`reverse/element.rs`), with no buffer. Look-alikes that must keep the buffer:
// the old `c[i]` read before the store (its adjoint reaches the previous sample), the vector
// read after the samples, a first store in a branch. And one that keeps the local: two stores
// in one iteration, the second reading the first.

/// ADBench's `xcentered`: stored, read at the counter, and read at the outer counter of a
/// triangle (`c[i]` in the loop over `j`).
#[grad(means, lower)]
fn centered_per_sample(means: &[f64], lower: &[f64], xs: &[f64]) -> f64 {
    let d = means.len();
    let mut c = vec![0.0; d];
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            c[i] = xs[s * d + i] - means[i];
        }
        for i in 0..d {
            y[i] = c[i].exp() * c[i];
        }
        let mut l = 0;
        for i in 0..d {
            for j in i + 1..d {
                y[j] += lower[l] * c[i];
                l += 1;
            }
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += y[i] * y[i];
        }
        total += sq.sqrt();
    }
    total
}

/// Must keep the buffer: each sample first reads the `c[i]` the sample before stored.
#[grad(means)]
fn centered_read_before_store(means: &[f64], xs: &[f64]) -> f64 {
    let d = means.len();
    let mut c = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        let mut carried = 0.0;
        for i in 0..d {
            carried += c[i] * means[i];
        }
        for i in 0..d {
            c[i] = (xs[s * d + i] - means[i]).sin();
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += c[i] * c[i] * means[i];
        }
        total += sq + carried;
    }
    total
}

/// Must keep the buffer: the last sample's `c` is read after the samples, and in another
/// function the first store is in a branch.
#[grad(means)]
fn centered_read_after(means: &[f64], xs: &[f64]) -> f64 {
    let d = means.len();
    let mut c = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            c[i] = xs[s * d + i] * means[i];
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += c[i].sin() * c[i];
        }
        total += sq;
    }
    total + c[d - 1] * 3.0
}

#[grad(means)]
fn centered_stored_in_a_branch(means: &[f64], xs: &[f64]) -> f64 {
    let d = means.len();
    let mut c = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            if xs[s * d + i] > 0.0 {
                c[i] = xs[s * d + i] * means[i];
            }
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += c[i].sin() * c[i];
        }
        total += sq;
    }
    total
}

/// Keeps the local: a second store in the iteration reads the first (`c[i] = c[i] * 2 + y`).
#[grad(means)]
fn centered_stored_twice(means: &[f64], xs: &[f64]) -> f64 {
    let d = means.len();
    let mut c = vec![0.0; d];
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    for s in 0..xs.len() / d {
        for i in 0..d {
            c[i] = xs[s * d + i] - means[i];
        }
        for i in 0..d {
            y[i] = c[i].cos();
            c[i] = c[i] * means[i] + y[i];
        }
        let mut sq = 0.0;
        for i in 0..d {
            sq += c[i] * y[i];
        }
        total += sq;
    }
    total
}

#[test]
fn element_adjoints_in_locals_match_finite_differences() {
    let mut rng = Rng::new(31);
    for d in [1, 2, 3, 5] {
        let means = rng.vec(d, -1.0, 1.0);
        let lower = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let xs = rng.vec(3 * d, -1.0, 1.0);
        let (_, (d_means, d_lower)) = centered_per_sample_grad(&means, &lower, &xs);
        let p = [&means[..], &lower[..]].concat();
        let f = |p: &[f64]| centered_per_sample(&p[..d], &p[d..], &xs);
        let g = [d_means, d_lower].concat();
        assert_matches_fd(&f, &p, &g, "centered_per_sample");

        type Objective = fn(&[f64], &[f64]) -> f64;
        type Gradient = fn(&[f64], &[f64]) -> (f64, Vec<f64>);
        let look_alikes: [(&str, Objective, Gradient); 4] = [
            (
                "read before store",
                centered_read_before_store,
                centered_read_before_store_grad,
            ),
            ("read after", centered_read_after, centered_read_after_grad),
            (
                "stored in a branch",
                centered_stored_in_a_branch,
                centered_stored_in_a_branch_grad,
            ),
            (
                "stored twice",
                centered_stored_twice,
                centered_stored_twice_grad,
            ),
        ];
        for (what, f, grad) in look_alikes {
            let (value, g) = grad(&means, &xs);
            assert_eq!(value, f(&means, &xs), "{what}: value");
            assert_matches_fd(&|m: &[f64]| f(m, &xs), &means, &g, what);
        }
    }
}

/// A fixed-size scratch array whose element adjoints live in locals, in `NAME_adjoint` and
/// in the dual-number sweep of `NAME_hvp`.
#[grad(modes(hvp))]
fn fixed_scratch_per_step(m: &[f64; 3]) -> f64 {
    let mut c = [0.0; 3];
    let mut y = [0.0; 3];
    let mut total = 0.0;
    for s in 0..4 {
        for i in 0..3 {
            c[i] = s as f64 * 0.3 - m[i];
        }
        for i in 0..3 {
            y[i] = c[i].sin() * c[i];
        }
        for i in 0..3 {
            total += y[i] * c[i];
        }
    }
    total
}

#[test]
fn element_adjoints_in_locals_on_dual_numbers() {
    let mut rng = Rng::new(32);
    for _ in 0..5 {
        let m: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let v: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let (value, g) = fixed_scratch_per_step_grad(&m);
        assert_matches_fd(
            &|x: &[f64]| fixed_scratch_per_step(&[x[0], x[1], x[2]]),
            &m,
            &g,
            "fixed_scratch_per_step",
        );
        let (value_2, g_2, hv) = fixed_scratch_per_step_hvp(&m, &v);
        assert_eq!((value, g), (value_2, g_2));
        // The Hessian-vector product: central differences of the gradient along `v`.
        let h = 1e-5;
        let along =
            |t: f64| fixed_scratch_per_step_grad(&std::array::from_fn(|i| m[i] + t * v[i])).1;
        let (plus, minus) = (along(h), along(-h));
        for i in 0..3 {
            let numeric = (plus[i] - minus[i]) / (2.0 * h);
            assert!(
                (hv[i] - numeric).abs() < 1e-5 * (1.0 + numeric.abs()),
                "hv {hv:?}, numeric {numeric} at {i}"
            );
        }
    }
}

/// An accumulator carried on from one loop into another over the same range (`s += old[i]`,
/// then `s += new[i] * x0`): the second's reverse hands the adjoint of the first's total back
/// only at its end. Merged, the first's reverse read it before, as zero: `d_x1` missed the
/// old elements' share (found by the fuzz tester's `centered` family, minimal reproducer).
#[grad]
fn accumulator_carried_across_loops(x0: f64, x1: f64) -> f64 {
    let mut buf = [0.0; 4];
    let mut total = 0.0;
    for _ in 0..2 {
        let mut s = 0.0;
        for i in 0..4 {
            s += buf[i] * 0.5;
        }
        for i in 0..4 {
            buf[i] = x1 * x1;
        }
        for i in 0..4 {
            s += buf[i] * x0;
        }
        total += s;
    }
    total
}

#[test]
fn an_accumulator_carried_into_the_next_loop_keeps_its_adjoint() {
    // total = 8 x0 x1² + 2 x1²: the second round reads the first round's x1² four times.
    let (x0, x1) = (-2.0, -0.625);
    let (value, (d_x0, d_x1)) = accumulator_carried_across_loops_grad(x0, x1);
    assert!((value - (8.0 * x0 * x1 * x1 + 2.0 * x1 * x1)).abs() < 1e-12);
    assert!((d_x0 - 8.0 * x1 * x1).abs() < 1e-12);
    assert!(
        (d_x1 - (16.0 * x0 * x1 + 4.0 * x1)).abs() < 1e-12,
        "d_x1 = {d_x1}"
    );
}
