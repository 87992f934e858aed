// A compile error for a valid program, under `modes(hvp)` only: a by-value array parameter
// `w: [f64; N]` shadowed by an array made from it (`let w = w.map(..);`, `let w = if c {
// [..] } else { w };`), the new `w` then read through a reference (`w.len()`,
// `w.windows(2)`). Reverse mode and `modes(tangent)` compile and give the right gradients;
// so do the same functions with `w: &[f64; N]`, with a new name (`let z = w.map(..);
// z.len()`), and with `w.iter()` as the read.
//
// Found by `array-rebinds`: seed 4242, 200 programs of `straight,array-rebinds,array-params,
// local-arrays,for-range,for-iter,branches,calls,iter-chains,f32,generic,closures,
// destructuring,records,row-bindings,while,loop-break,continue,early-return,match` (4 failed:
// p00052, p00062, p00079, p00114, all this class), and seed 20261301, 200 programs of
// `all,-models,-methods` (2 failed: p00083, p00121); shrunk by the fuzzer, then by hand:
//
// error[E0277]: the trait bound `&[Dual<f64>; 2]: autodiff::dual::Split` is not satisfied
//     --> src/lib.rs:3:1
//      |
//    3 | #[grad(modes(hvp))]
//      | ^^^^^^^^^^^^^^^^^^^ the trait `autodiff::dual::Split` is not implemented for `&[Dual<f64>; 2]`
//      |
// help: the trait `autodiff::dual::Split` is implemented for `[S; N]`
//     --> autodiff-runtime/src/dual.rs:766:1
// note: required by a bound in `autodiff::__private::dual_values`
//     --> autodiff-runtime/src/private.rs:1340:15
//
// (and the same with `&[Dual<f64>; 3]` for `chosen`).

use autodiff::grad;

#[grad(modes(hvp))]
pub fn mapped(w: [f64; 2]) -> f64 {
    let w = w.map(|v| v * 2.0);
    assert!(w.len() >= 2);
    w[0] * w[1]
}

#[grad(modes(hvp))]
pub fn chosen(w: [f64; 3]) -> f64 {
    let w = if w[0] > 0.0 { [w[1], w[0], w[2]] } else { w };
    w.windows(2).map(|p| p[1] - p[0]).sum::<f64>() * w[1]
}

// Expected (as `mapped_grad`, `chosen_grad` give): mapped_hvp([0.5, 1.5], &[1.0, 0.0]) =
// (3.0, [6.0, 2.0], [0.0, 4.0]); chosen at [0.5, 1.5, 3.0] swaps to [1.5, 0.5, 3.0], so it is
// (w2 - w1) * w0: value 0.75, gradient [1.5, -0.5, 0.5].
