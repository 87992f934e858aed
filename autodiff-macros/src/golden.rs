//! Golden tests: what `#[grad]` writes for small functions (straight-line code, a loop with a
//! tape, a loop fused with its reverse, a reverse loop run forwards, a running maximum, rows of a
//! flat matrix read through views, a scratch vector filled again in the reverse sweep, forward
//! mode and a Jacobian, calls of sub-models' methods, a call's result handed on whole, a guard clause),
//! and `#[derive(Params)]` for a small model, pretty-printed. They pin the shape of the
//! generated code (the README shows the first); when a change to a macro changes them on
//! purpose, rerun with `UPDATE_GOLDEN=1` and review the diff.

use std::path::PathBuf;

use quote::quote;

use crate::attr::GradAttr;

fn check(name: &str, attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) {
    let attr: GradAttr = syn::parse2(attr).expect("attribute");
    let function: syn::ItemFn = syn::parse2(item.clone()).expect("function");
    compare(name, crate::emit::expand(attr, function, item));
}

/// Compares `expanded`, pretty-printed, with the golden file `name`.
fn compare(name: &str, expanded: proc_macro2::TokenStream) {
    let file: syn::File = syn::parse2(expanded).expect("the expansion parses");
    let actual = prettyplease::unparse(&file);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(format!("{name}.rs"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "the expansion of `{name}` changed; rerun with UPDATE_GOLDEN=1 and review:\n{actual}"
    );
}

#[test]
fn straight_line() {
    check(
        "sum_times",
        quote!(),
        quote! {
            pub fn f(x: f64, y: f64, z: f64) -> f64 {
                (x + y) * z
            }
        },
    );
}

/// The root is infinite in its slope where the early return is taken: its rule passes the
/// zero adjoint on as zero.
#[test]
fn guard_clause() {
    check(
        "guard_clause",
        quote!(),
        quote! {
            pub fn cosine(x: f64, y: f64) -> f64 {
                let r = (x * x + y * y).sqrt();
                if r < 1e-12 {
                    return 0.0;
                }
                x / r
            }
        },
    );
}

#[test]
fn forward_mode() {
    check(
        "sum_times_tangent",
        quote!(modes(tangent)),
        quote! {
            pub fn f(x: f64, y: f64, z: f64) -> f64 {
                (x + y) * z
            }
        },
    );
}

#[test]
fn forward_mode_loop_and_jacobian() {
    check(
        "lecture_jacobian",
        quote!(modes(jacobian)),
        quote! {
            pub fn lecture_f(x: &[f64; 3], w: &[f64]) -> [f64; 4] {
                let mut s = 0.0;
                for i in 0..w.len() {
                    s = (s + w[i]).sin();
                }
                [x[0], 5.0 * x[2], 4.0 * x[1] * x[1] - 2.0 * x[2], x[2] * x[0].sin() + s]
            }
        },
    );
}

#[test]
fn tuple_output_and_its_caller() {
    // A tuple result is held as the array of its numbers: the cotangent taken apart at the
    // top, the value made a tuple at the end; a caller takes the call's tuple as an array.
    check(
        "tuple_output",
        quote!(),
        quote! {
            pub fn polar(x: f64, y: f64) -> (f64, f64) {
                let r = (x * x + y * y).sqrt();
                (r, y.atan2(x))
            }
        },
    );
    check(
        "tuple_caller",
        quote!(),
        quote! {
            pub fn energy(x: f64, y: f64) -> f64 {
                let (r, theta) = polar(x, y);
                r * r * theta.cos()
            }
        },
    );
}

#[test]
fn fused_loop_of_squares() {
    // The square of a difference pulls back `(a + a) * d` with `d` the difference's negated
    // adjoint: LLVM folds the negation into the addition (`d_a -= ..`). The squares' own
    // adjoints change every iteration; an accumulated square (`row_norms`) doubles `d` instead,
    // once before the loop.
    check(
        "rosenbrock",
        quote!(),
        quote! {
            pub fn rosenbrock(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() / 2 {
                    let a = x[2 * i];
                    let b = x[2 * i + 1];
                    s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
                }
                s
            }
        },
    );
}

#[test]
fn loop_with_a_tape() {
    check(
        "recurrence",
        quote!(),
        quote! {
            pub fn recurrence(x0: f64, w: &[f64]) -> f64 {
                let mut x = x0;
                for t in 0..w.len() {
                    x = x.sin() * w[t] + 0.5 * x;
                }
                x
            }
        },
    );
}

#[test]
fn checkpointed_loop() {
    check(
        "recurrence_checkpointed",
        quote!(),
        quote! {
            pub fn recurrence(x0: f64, w: &[f64]) -> f64 {
                let mut x = x0;
                #[checkpoint]
                for t in 0..w.len() {
                    x = x.sin() * w[t] + 0.5 * x;
                }
                x
            }
        },
    );
}

#[test]
fn fused_accumulation_loop() {
    check(
        "mean_squared_error",
        quote!(w),
        quote! {
            pub fn mse(w: &[f64; 3], xs: &[[f64; 3]], ys: &[f64]) -> f64 {
                let mut total = 0.0;
                for i in 0..ys.len() {
                    let mut z = [0.0; 3];
                    for j in 0..3 {
                        z[j] += w[j] * xs[i][j];
                    }
                    let r = z[0] + z[1] + z[2] - ys[i];
                    total += r * r;
                }
                total / ys.len() as f64
            }
        },
    );
}

/// The reverse of the inner loop runs forwards (its iterations commute), its running index
/// started from the value it ended with; the outer loop's runs backwards, popping that value.
#[test]
fn reverse_loop_run_forwards() {
    check(
        "lower_triangular",
        quote!(lower),
        quote! {
            pub fn lower_triangular(lower: &[f64], x: &[f64]) -> f64 {
                let d = x.len();
                let mut y = vec![0.0; d];
                let mut l = 0;
                for i in 0..d {
                    for j in i + 1..d {
                        y[j] += lower[l] * x[i];
                        l += 1;
                    }
                }
                let mut total = 0.0;
                for j in 0..d {
                    total += y[j] * y[j];
                }
                total
            }
        },
    );
}

/// A scratch vector filled whole by a cheap loop in each iteration and read at the counter of
/// the loops after it, nested loops included (ADBench's `xcentered`): the merged reverse
/// iteration computes the element again instead of reading a copy.
#[test]
fn scratch_refilled() {
    check(
        "scratch_refilled",
        quote!(means, lower),
        quote! {
            pub fn whitened(x: &[f64], means: &[f64], lower: &[f64]) -> f64 {
                let d = x.len();
                let mut c = vec![0.0; d];
                let mut y = vec![0.0; d];
                let mut product = 1.0;
                let mut l = 0;
                for k in 0..means.len() / d {
                    for i in 0..d {
                        c[i] = x[i] - means[k * d + i];
                    }
                    for i in 0..d {
                        y[i] = 2.0 * c[i];
                    }
                    for i in 0..d {
                        for j in i + 1..d {
                            y[j] += lower[l] * c[i];
                            l += 1;
                        }
                    }
                    let mut q = 0.0;
                    for i in 0..d {
                        q += y[i] * y[i];
                    }
                    product *= 1.0 + q;
                }
                product
            }
        },
    );
}

#[test]
fn scratch_adjoint_written_first() {
    check(
        "scratch_overwritten",
        quote!(lower, diag),
        quote! {
            pub fn whitened_norms(lower: &[f64], diag: &[f64], xs: &[f64]) -> f64 {
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
        },
    );
}

#[test]
fn element_adjoint_in_a_local() {
    check(
        "element_adjoint_local",
        quote!(means, lower),
        quote! {
            pub fn whitened_centered(means: &[f64], lower: &[f64], xs: &[f64]) -> f64 {
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
                    total += sq;
                }
                total
            }
        },
    );
}

#[test]
fn running_maximum() {
    check(
        "log_sum_exp",
        quote!(),
        quote! {
            pub fn log_sum_exp(x: &[f64]) -> f64 {
                let mut mx = x[0];
                for i in 1..x.len() {
                    mx = mx.max(x[i]);
                }
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += (x[i] - mx).exp();
                }
                s.ln() + mx
            }
        },
    );
}

#[test]
fn rows_read_through_views() {
    check(
        "row_norms",
        quote!(),
        quote! {
            pub fn row_norms(m: &[f64], d: usize) -> f64 {
                let mut total = 0.0;
                for r in 0..m.len() / d {
                    let mut s = 0.0;
                    for j in 0..d {
                        s += m[r * d + j] * m[r * d + j];
                    }
                    total += s.sqrt();
                }
                total
            }
        },
    );
}

#[test]
fn methods_of_sub_models() {
    check(
        "sub_model_methods",
        quote!(net),
        quote! {
            pub fn loss(net: &Mlp, x: &[f64; 2]) -> f64 {
                let h = net.l1.forward(x);
                let mut s = net.head.score(&h);
                for l in &net.layers {
                    s += l.score(x);
                }
                s
            }
        },
    );
}

#[test]
fn results_handed_on_whole() {
    // `sub` may return a number or an array: the macro does not see its type.
    check(
        "handed_on",
        quote!(),
        quote! {
            pub fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
                norm(sub(a, b))
            }
        },
    );
}

#[test]
fn local_option() {
    // The `Option` is a flag and a number, carried by the loop like any local.
    check(
        "local_option",
        quote!(),
        quote! {
            pub fn steps(x: &[f64]) -> f64 {
                let mut prev: Option<f64> = None;
                let mut s = 0.0;
                for &v in x {
                    if let Some(p) = prev {
                        s += (v - p) * (v - p);
                    }
                    prev = Some(v.sin());
                }
                s
            }
        },
    );
}

#[test]
fn derive_params_of_a_nested_model() {
    let input = syn::parse2(quote! {
        struct Net<T: Float> {
            hidden: [Dense<T>; 2],
            out: Vec<[T; 4]>,
            bias: T,
            #[params(skip)]
            steps: usize,
        }
    });
    compare(
        "derive_params",
        crate::params::derive(&input.expect("a struct")),
    );
}

/// Prints what `#[grad]` writes for the function in the file `AUTODIFF_EXPAND` names (a
/// debugging aid where `cargo expand` is not installed), with the attribute's arguments in
/// `AUTODIFF_EXPAND_ATTR` (`"modes(tangent)"`) if set:
/// `AUTODIFF_EXPAND=f.rs cargo test -p autodiff-macros --lib -- --ignored --nocapture expand`
#[test]
#[ignore = "prints an expansion on request"]
fn expand() {
    let Some(path) = std::env::var_os("AUTODIFF_EXPAND") else {
        return;
    };
    let source = std::fs::read_to_string(path).expect("read AUTODIFF_EXPAND");
    let original: proc_macro2::TokenStream = source.parse().expect("tokens");
    let item: syn::ItemFn = syn::parse2(original.clone()).expect("a function");
    let attr = std::env::var("AUTODIFF_EXPAND_ATTR").unwrap_or_default();
    let attr: GradAttr = syn::parse_str(&attr).expect("attribute");
    let expanded = crate::emit::expand(attr, item, original);
    let file: syn::File = syn::parse2(expanded).expect("the expansion parses");
    println!("{}", prettyplease::unparse(&file));
}
