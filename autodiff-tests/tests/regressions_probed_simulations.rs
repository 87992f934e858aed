//! Forms that probes of public code found failing. Traffic flow (a detector's `count()`, a
//! link's `capacity()`): a struct's own method named as a slice's or an iterator's was read
//! as the container method of that name, a count with no derivative (a wrong gradient of
//! zero, or, for `first`, `sum`, `is_empty`, an error about arrays); now a struct's method
//! named as one that gives no float (`count`, `len`, `position`, `is_empty`) is checked to
//! give none (UI calls/struct-method-named-count), and one named as another (`first`,
//! `sum`, `iter`) is its own, differentiated. Kalman filters with missing observations:
//! `if let Some(y) = ys[t]` of `ys: &[Option<f64>]`, `y` passed to a `#[grad]` helper,
//! went without its `Const` shadow (generated code that did not compile): the element's
//! written type now types what the pattern binds. Policy-gradient losses (a categorical
//! distribution built from a call's log-probabilities, `Categorical { log_probs:
//! log_softmax(logits) }`, then `dist.entropy()`): a local struct's field holding what a call
//! returns, a `Vec`, moved by each rebuilding of the struct (generated code that did not
//! compile); it is cloned there now. Kalman filters again: `for &obs in ys` and `for obs in
//! ys` with `g(*obs, m)`, an `Option<f64>` handed to a callee that takes one, went as a
//! reference (generated code that did not compile): the item is typed by its slice's
//! written type. Battery models (a fit validating its records first): `let n =
//! check_lengths(current, voltage)?;` read as an integer, of a float slice (which the
//! adjoint differentiates), was taken for a differentiated call (generated code that did not
//! compile): a fallible call read as an integer is one returning an integer, as a call that
//! cannot fail is. Soft-DTW with a Sakoe-Chiba band: a model's integer field compared with
//! a range's counter (`i > m.window`, `i.abs_diff(j) > self.window`) was taken for a float
//! (generated code that did not compile): a counter is an integer, and so is what it is
//! compared with. Soft edit distances dispatching over their operations: `for op in
//! [Op::Sub, Op::Ins, Op::Del]` (and `.into_iter().enumerate()`, `[Short::A, Short::B]`)
//! took the variants for floats (generated code that did not compile); a literal of paths
//! is data read in place. Mesh energies and network costs with their topology in a skipped
//! field (`#[params(skip)] edges: Vec<[usize; 2]>` read `pts[ed[0]]`, `Vec<(usize,
//! usize)>` taken apart `for &(from, to) in &self.edges`): the items were taken for rows of
//! floats (rejected as float indices, or as a tuple of differentiated numbers); an item read
//! as integers makes the field data. CTC's blank-extended labels, `let mut ext =
//! vec![0usize];` pushed into in a loop: the vector was taken for one of its literal's
//! length, borrowed where it was pushed into (generated code that did not compile); a vector
//! of integer literals pushed into is one of their type (`usize` unsuffixed). A piecewise
//! hazard looking up its interval in a skipped field (`m.cuts.partition_point(|&c| c <
//! t)`, `binary_search_by`): the field was taken for a number (generated code that did not
//! compile); a field searched is data. Pose graphs with a one-letter pose type (`impl P {
//! fn d(&self, o: &P) }` under `#[grad(self, o)]`): `P` was guessed to be the `impl`'s type
//! parameter (rejected: `o` not a float parameter); in an `impl` block the attribute is on,
//! its parameters are known, not guessed. A between-factor over two poses of one sequence
//! (`d(&g.ps[i], &g.ps[j])`, `g.ps[i].between(&g.ps[j])`, and two rows of a matrix field):
//! the second item's accumulator was made as a row of floats (generated code that did not
//! compile); it is zeros of the item's type, added into its item after.
// (index loops are the forms under test)
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Params};

mod common;
use common::close;

#[derive(Clone, Debug, Params)]
struct Detector {
    rate: f64,
    gain: f64,
}

#[grad(self)]
impl Detector {
    fn count(&self) -> f64 {
        self.rate * 60.0
    }

    fn first(&self) -> f64 {
        self.rate * self.gain
    }

    fn sum(&self) -> f64 {
        self.rate + self.gain
    }

    fn iter(&self) -> f64 {
        self.gain * self.gain
    }

    /// Its own methods of those names, by path where one is named as a counting method.
    fn total(&self) -> f64 {
        let mut total = 0.0;
        for _ in 0..self.len() {
            total += Self::count(self) + self.first() + self.sum() + self.iter();
        }
        total
    }

    /// A method that does count, read as data beside them.
    fn len(&self) -> usize {
        2
    }
}

#[grad(d)]
fn fit(d: &Detector, observed: f64) -> f64 {
    let mut total = 0.0;
    for _ in 0..2 {
        total += (Detector::count(d) - observed).powi(2) + Detector::first(d) + d.sum();
    }
    total + d.total() + Detector::iter(d)
}

#[derive(Clone, Params)]
struct Pair {
    a: f64,
    b: f64,
}

#[grad(self)]
impl Pair {
    fn first(&self) -> f64 {
        self.a * self.b
    }
}

/// A local struct's own `first`.
#[grad]
fn local_first(x: f64) -> f64 {
    let p = Pair { a: x, b: 2.0 };
    p.first() * x
}

#[test]
fn a_struct_s_methods_named_as_slice_methods_are_its_own() {
    let d = Detector {
        rate: 2.0,
        gain: 0.5,
    };
    let (value, g) = fit_grad(&d, 100.0);
    assert!(close(value, fit(&d, 100.0)));
    // 2 (60 r - y)^2 + 2 (r g + r + g) + 2 (60 r + r g + r + g + g^2) + g^2
    let (r, gain, y) = (2.0, 0.5, 100.0);
    let d_rate = 2.0 * 2.0 * 60.0 * (60.0 * r - y) + 2.0 * (gain + 1.0) + 2.0 * (60.0 + gain + 1.0);
    let d_gain = 2.0 * (r + 1.0) + 2.0 * (r + 1.0 + 2.0 * gain) + 2.0 * gain;
    assert!(close(g.rate, d_rate), "{} vs {d_rate}", g.rate);
    assert!(close(g.gain, d_gain), "{} vs {d_gain}", g.gain);

    // d/dx (2 x) x = 4 x
    assert_eq!(local_first_grad(3.0), (18.0, 12.0));
}

#[grad]
fn update(m: f64, y: f64) -> f64 {
    (y - m) * (y - m)
}

/// The innovations of the observations present (by index: the form tested).
#[grad(m)]
fn innovations(m: f64, ys: &[Option<f64>]) -> f64 {
    let mut total = 0.0;
    for t in 0..ys.len() {
        if let Some(y) = ys[t] {
            total += update(m, y);
        }
    }
    total
}

#[test]
fn a_missing_observation_s_value_is_a_float_handed_on() {
    let ys = [Some(1.0), None, Some(4.0)];
    let (value, d_m) = innovations_grad(2.0, &ys);
    assert_eq!(value, 1.0 + 4.0);
    // d/dm (1 - m)^2 + (4 - m)^2 = -2 (1 - m) - 2 (4 - m)
    assert_eq!(d_m, 2.0 - 4.0);
}

#[derive(Clone, Params)]
struct Categorical {
    log_probs: Vec<f64>,
}

#[grad(self)]
impl Categorical {
    fn entropy(&self) -> f64 {
        -self.log_probs.iter().map(|lp| lp.exp() * lp).sum::<f64>()
    }
}

#[grad]
fn log_softmax(logits: &[f64]) -> Vec<f64> {
    let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total = logits.iter().map(|l| (l - top).exp()).sum::<f64>().ln() + top;
    logits.iter().map(|l| l - total).collect()
}

#[derive(Clone, Params)]
struct Point {
    at: [f64; 2],
}

#[grad(self)]
impl Point {
    fn norm2(&self) -> f64 {
        self.at[0] * self.at[0] + self.at[1] * self.at[1]
    }
}

#[grad]
fn doubled(x: &[f64; 2]) -> [f64; 2] {
    [2.0 * x[0], 2.0 * x[1]]
}

/// The entropy of the policy, and a point built from a call's array beside it.
#[grad]
fn policy_loss(logits: &[f64], x: &[f64; 2]) -> f64 {
    let dist = Categorical {
        log_probs: log_softmax(logits),
    };
    let p = Point { at: doubled(x) };
    dist.entropy() + p.norm2()
}

#[test]
fn a_local_struct_holds_what_a_call_returns() {
    let logits = [0.5, -1.0, 2.0];
    let x = [0.3, -0.4];
    let (value, (d_logits, d_x)) = policy_loss_grad(&logits, &x);
    assert!(close(value, policy_loss(&logits, &x)));
    let f = |z: &[f64]| policy_loss(&[z[0], z[1], z[2]], &[z[3], z[4]]);
    let mut analytic = d_logits.clone();
    analytic.extend(d_x);
    common::assert_matches_fd(&f, &[0.5, -1.0, 2.0, 0.3, -0.4], &analytic, "policy_loss");
}

#[grad(m)]
fn innovation(y: Option<f64>, m: f64) -> f64 {
    y.unwrap_or(m) - m
}

/// Every form of an observation that may be missing handed on.
#[grad(m)]
fn innovations_handed_on(m: f64, ys: &[Option<f64>]) -> f64 {
    let mut total = 0.0;
    for &obs in ys {
        total += innovation(obs, m) * m;
    }
    for obs in ys {
        total += innovation(*obs, m) * m;
    }
    for obs in ys.iter() {
        let Some(y) = *obs else { continue };
        total += m * y;
    }
    total
}

#[test]
fn an_observation_that_may_be_missing_is_handed_on_by_value() {
    let ys = [Some(1.0), None, Some(4.0)];
    let (value, d_m) = innovations_handed_on_grad(2.0, &ys);
    // 2 [(1 - m) m + (4 - m) m] + m (1 + 4), at m = 2: 2 (-2 + 4) + 10
    assert_eq!(value, 14.0);
    // 2 [(1 - 2 m) + (4 - 2 m)] + 5
    assert_eq!(d_m, 2.0 * (-3.0 + 0.0) + 5.0);
}

fn check_lengths(current: &[f64], voltage: &[f64]) -> Result<usize, String> {
    match current.len() == voltage.len() && !current.is_empty() {
        true => Ok(current.len()),
        false => Err(format!(
            "{} currents, {} voltages",
            current.len(),
            voltage.len()
        )),
    }
}

/// The mean squared error of an ohmic model, its records validated first.
#[grad(r0)]
fn ohmic_mse(r0: f64, ocv: f64, current: &[f64], voltage: &[f64]) -> Result<f64, String> {
    let n = check_lengths(current, voltage)?;
    let mut total = 0.0;
    for k in 0..n {
        let e = ocv - r0 * current[k] - voltage[k];
        total += e * e;
    }
    Ok(total / n as f64)
}

#[test]
fn a_fallible_call_read_as_an_integer_returns_one() {
    let (current, voltage) = ([1.0, 2.0], [3.5, 3.0]);
    let (value, d_r0) = ohmic_mse_grad(0.4, 4.0, &current, &voltage).unwrap();
    // e = [0.1, 0.2]: mean 0.025; d/dr0 = mean(-2 e i) = -(0.2 + 0.8) / 2
    assert!(close(value, 0.025) && close(d_r0, -0.5), "{value} {d_r0}");
    assert!(ohmic_mse_grad(0.4, 4.0, &current, &[1.0]).is_err());
}

#[derive(Clone, Debug, Params)]
struct Band {
    gamma: f64,
    #[params(skip)]
    window: usize,
}

#[grad(self)]
impl Band {
    /// Squared distances inside the band, scaled.
    fn cost(&self, x: &[f64], y: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..x.len() {
            for j in 0..y.len() {
                if i.abs_diff(j) > self.window {
                    continue;
                }
                total += self.gamma * (x[i] - y[j]).powi(2);
            }
        }
        total
    }
}

#[grad]
fn past_window(m: &Band, x: &[f64]) -> f64 {
    let mut total = 0.0;
    for (i, xi) in x.iter().enumerate() {
        if i > m.window {
            total += m.gamma * xi;
        }
    }
    for i in (0..x.len()).rev() {
        if i <= m.window {
            total += m.gamma * x[i] * x[i];
        }
    }
    total
}

#[test]
fn a_model_s_integer_field_compared_with_a_counter_is_an_integer() {
    let band = Band {
        gamma: 0.5,
        window: 0,
    };
    let (value, d_band) = band.cost_grad(&[1.0, 2.0], &[0.0, 1.0]);
    // inside the band: (1 - 0)^2 + (2 - 1)^2
    assert_eq!((value, d_band.gamma), (1.0, 2.0));
    let (value, (d_m, d_x)) = past_window_grad(&band, &[3.0, 4.0, 5.0]);
    // 0.5 (4 + 5) + 0.5 * 3^2
    assert_eq!((value, d_m.gamma), (9.0, 18.0));
    assert_eq!(d_x, vec![3.0, 0.5, 0.5]);
}

#[derive(Clone, Copy)]
enum Edit {
    Sub,
    Ins,
    Del,
}

#[derive(Clone, Copy)]
enum Side {
    L,
    R,
}

/// A soft edit cost dispatching over its operations, in a nested loop.
#[grad]
fn soft_edit(x: &[f64], costs: &[f64; 3]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() {
        for (k, op) in [Edit::Sub, Edit::Ins, Edit::Del].into_iter().enumerate() {
            let c = match op {
                Edit::Sub => costs[0] * x[i],
                Edit::Ins => costs[1] + x[i] * x[i],
                Edit::Del => costs[2] * k as f64,
            };
            total += c;
        }
        for side in [Side::L, Side::R] {
            total += match side {
                Side::L => x[i],
                Side::R => -0.5 * x[i],
            };
        }
    }
    total
}

#[test]
fn a_loop_over_variants_reads_them_as_data() {
    let (x, costs) = ([1.0, 2.0], [0.5, 0.25, 2.0]);
    let (value, (d_x, d_costs)) = soft_edit_grad(&x, &costs);
    // per i: 0.5 x + 0.25 + x^2 + 2 * 2 + 0.5 x
    let per = |v: f64| 0.5 * v + 0.25 + v * v + 4.0 + 0.5 * v;
    assert_eq!(value, per(1.0) + per(2.0));
    assert_eq!(d_x, vec![1.0 + 2.0, 1.0 + 4.0]);
    assert_eq!(d_costs, [3.0, 2.0, 4.0]);
}

#[derive(Clone, Debug, Params)]
struct Surface {
    pts: Vec<[f64; 2]>,
    #[params(skip)]
    edges: Vec<[usize; 2]>,
}

/// A spring energy over the edges.
#[grad]
fn springs(s: &Surface) -> f64 {
    let mut e = 0.0;
    for ed in &s.edges {
        let d = s.pts[ed[0]][0] - s.pts[ed[1]][0];
        e += d * d;
    }
    e
}

#[derive(Clone, Debug, Params)]
struct Network {
    flow: Vec<f64>,
    #[params(skip)]
    links: Vec<(usize, usize)>,
}

#[grad(self)]
impl Network {
    /// The cost of the links between different nodes.
    fn cost(&self) -> f64 {
        let mut c = 0.0;
        for &(from, to) in &self.links {
            if from != to {
                c += self.flow[from] * self.flow[to];
            }
        }
        c
    }
}

#[test]
fn a_skipped_field_of_indices_is_data() {
    let s = Surface {
        pts: vec![[0.0, 0.0], [1.5, 0.0]],
        edges: vec![[0, 1]],
    };
    let (value, d_s) = springs_grad(&s);
    assert_eq!((value, d_s.pts), (2.25, vec![[-3.0, 0.0], [3.0, 0.0]]));
    let n = Network {
        flow: vec![1.0, 2.0],
        links: vec![(0, 1), (1, 1)],
    };
    let (value, d_n) = n.cost_grad();
    assert_eq!((value, d_n.flow), (2.0, vec![2.0, 1.0]));
}

/// The labels with a blank before each, read as indices.
#[grad(x)]
fn extended(x: &[f64], target: &[usize]) -> f64 {
    let mut ext = vec![0usize];
    for &l in target {
        ext.push(l);
        ext.push(0);
    }
    let mut total = 0.0;
    for &k in &ext {
        total += x[k];
    }
    total * ext.len() as f64
}

#[test]
fn a_vector_of_indices_pushed_into_holds_integers() {
    let (value, d_x) = extended_grad(&[1.0, 2.0, 3.0], &[2, 1]);
    // ext = [0, 2, 0, 1, 0]: (3 x0 + x1 + x2) * 5
    assert_eq!(value, (3.0 + 2.0 + 3.0) * 5.0);
    assert_eq!(d_x, vec![15.0, 5.0, 5.0]);
}

#[derive(Clone, Debug, Params)]
struct Piecewise {
    rates: Vec<f64>,
    #[params(skip)]
    cuts: Vec<f64>,
}

/// The cumulative hazard up to `t`, through the interval `t` falls in.
#[grad]
fn hazard(m: &Piecewise, t: f64) -> f64 {
    let j = m.cuts.partition_point(|&c| c < t);
    let k = match m.cuts.binary_search_by(|c| c.total_cmp(&t)) {
        Ok(i) | Err(i) => i,
    };
    m.rates[j] * t + m.rates[k]
}

#[test]
fn a_skipped_field_searched_is_data() {
    let m = Piecewise {
        rates: vec![1.0, 2.0, 3.0],
        cuts: vec![0.0, 1.0],
    };
    let (value, (d_m, d_t)) = hazard_grad(&m, 0.5);
    assert_eq!((value, d_m.rates, d_t), (3.0, vec![0.0, 1.5, 0.0], 2.0));
}

#[derive(Clone, Debug, Params)]
struct P {
    x: f64,
}

#[grad(self, o)]
impl P {
    /// The squared distance to another pose.
    fn d(&self, o: &P) -> f64 {
        (o.x - self.x).powi(2)
    }
}

#[test]
fn a_one_letter_model_type_in_its_own_impl_is_no_type_parameter() {
    let (value, (d_self, d_o)) = P { x: 1.0 }.d_grad(&P { x: 3.0 });
    assert_eq!((value, d_self.x, d_o.x), (4.0, -4.0, 4.0));
}

#[derive(Clone, Debug, Params)]
struct Pose {
    p: [f64; 2],
}

#[grad(self, other)]
impl Pose {
    /// A squared offset and a coupling between two poses.
    fn between(&self, other: &Pose) -> f64 {
        (other.p[0] - self.p[0]).powi(2) + other.p[1] * self.p[1]
    }
}

#[derive(Clone, Debug, Params)]
struct PoseGraph {
    poses: Vec<Pose>,
    rows: Vec<[f64; 2]>,
}

#[grad]
fn cross(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[1]
}

#[grad]
fn offset(a: &Pose, b: &Pose) -> f64 {
    b.p[0] - a.p[0]
}

#[grad(g)]
fn graph_cost(g: &PoseGraph, edges: &[(usize, usize)]) -> f64 {
    let mut c = 0.0;
    for &(i, j) in edges {
        c += g.poses[i].between(&g.poses[j]) + cross(&g.rows[i], &g.rows[j]);
        c += offset(&g.poses[i], &g.poses[j]);
    }
    c
}

#[test]
fn two_items_of_one_sequence_lent_to_one_call() {
    let g = PoseGraph {
        poses: vec![Pose { p: [1.0, 2.0] }, Pose { p: [3.0, 5.0] }],
        rows: vec![[1.0, 2.0], [3.0, 4.0]],
    };
    let (value, d_g) = graph_cost_grad(&g, &[(0, 1), (1, 1)]);
    // (0, 1): 4 + 10 + 4 + 2; (1, 1): 25 + 12 + 0
    assert_eq!(value, 57.0);
    assert_eq!(d_g.poses[0].p, [-4.0 - 1.0, 5.0]);
    assert_eq!(d_g.poses[1].p, [4.0 + 1.0, 2.0 + 10.0]);
    assert_eq!(d_g.rows, vec![[4.0, 0.0], [4.0, 1.0 + 3.0]]);
}

/// The squared weights after normalising them to sum to one, in place.
#[grad(modes(tangent, hvp))]
fn concentration(mut w: Vec<f64>) -> f64 {
    let total: f64 = w.iter().sum();
    for x in w.iter_mut() {
        *x /= total;
    }
    w.iter().map(|x| x * x).sum()
}

#[test]
fn a_vec_taken_by_value_is_written_in_place() {
    let (value, d_w) = concentration_grad(vec![1.0, 3.0]);
    // (w0^2 + w1^2) / s^2: d/dw0 = 2 w0 / s^2 - 2 (w0^2 + w1^2) / s^3
    assert_eq!(value, 0.625);
    assert!(
        close(d_w[0], 2.0 / 16.0 - 2.0 * 10.0 / 64.0) && close(d_w[1], 6.0 / 16.0 - 20.0 / 64.0)
    );
    let (_, t) = concentration_tangent(vec![1.0, 3.0], &[1.0, 0.0]);
    assert!(close(t, d_w[0]));
    let (_, g, _) = concentration_hvp(vec![1.0, 3.0], &[1.0, 0.0]);
    assert!(close(g[1], d_w[1]));
}

/// The outcome of the unit with the smallest positive score, weighted by the score.
#[grad(y)]
fn nearest_outcome(x: &[f64], y: &[f64]) -> Option<f64> {
    let j = (0..x.len())
        .filter(|&j| x[j] > 0.0)
        .min_by(|&a, &b| x[a].total_cmp(&x[b]))?;
    Some(y[j] * x[j])
}

#[test]
fn an_index_picked_from_a_range_through_question_mark_is_data() {
    let (value, d_y) = nearest_outcome_grad(&[-1.0, 2.0, 0.5], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!((value, d_y), (1.5, vec![0.0, 0.0, 0.5]));
    assert!(nearest_outcome_grad(&[-1.0], &[1.0]).is_none());
}

/// The expected return of the weights, the returns given as anything that lends a slice.
#[grad(w)]
fn expected_return<M: AsRef<[f64]>>(w: &[f64], mu: M) -> f64 {
    let mu = mu.as_ref();
    w.iter().zip(mu.iter()).map(|(a, b)| a * b).sum()
}

#[test]
fn a_generic_parameter_rebound_is_the_local() {
    assert_eq!(
        expected_return_grad(&[1.0, 2.0], vec![3.0, 4.0]),
        (11.0, vec![3.0, 4.0])
    );
}
