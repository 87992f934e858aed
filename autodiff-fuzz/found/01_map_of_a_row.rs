// A compile error for a valid program: `.map(..)` of a matrix row bound by `for row in
// m.iter()`, even with the length stated on the `let`, shadowing or not. The row's type
// `&[f64; 3]` is known from the parameter `&[[f64; 3]; 2]`.
//
// Found by `array-rebinds` (seed 777, 100 programs of `straight,array-rebinds,array-params,
// local-arrays,for-range,branches,calls,for-iter,iter-chains,f32,generic`, p00030, generic
// and in `modes(tangent, hvp)` there); shrunk by the fuzzer, then by hand to this:
//
// error: #[grad] maps an array only when it knows the array's length: state it where the
// array is bound (`let h: [f64; 3] = g(x);`), or map through indices or an iterator (`let y:
// [f64; 3] = std::array::from_fn(|i| f(h[i]));`, `h.iter().map(f).collect::<Vec<_>>()`)
//  --> src/lib.rs:7:33
//   |
// 7 |         let row: [f64; 3] = row.map(|v| v * 2.0);
//   |                                 ^^^
//
// (the same error at `row.map` for `let r: [f64; 3] = row.map(|v| v * 2.0);`). The generator
// no longer maps a row directly (`from_fn` of it and an `if` choosing it are drawn): see
// `Gen::rebind_steps`.

use autodiff::grad;

#[grad]
pub fn f(m: &[[f64; 3]; 2]) -> f64 {
    let mut s = 0.0;
    for row in m.iter() {
        let row: [f64; 3] = row.map(|v| v * 2.0);
        s += row[0];
    }
    s
}

// Expected: f_grad(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) = (10.0, [[2.0, 0.0, 0.0], [2.0, 0.0, 0.0]]).
