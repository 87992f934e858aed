//! Methods that rearrange or overwrite a local array in place (`swap`, `sort_by`, `reverse`,
//! `rotate_left`, `rotate_right`, `fill`), lowered to the reads and writes of its elements
//! they make, which the sweeps differentiate as any others:
//!
//! ```text
//! v.reverse();     =>   for i in 0..v.len() / 2 { v.swap(i, v.len() - 1 - i); }
//! v.rotate_left(k) =>   let old = v.to_vec(); for i in 0..n { v[i] = old[(i + k) % n]; }
//! v.fill(c)        =>   let c = c; for i in 0..v.len() { v[i] = c; }
//! ```

use super::*;
use proc_macro2::Ident;

/// The methods lowered here.
const IN_PLACE: &[&str] = &[
    "swap",
    "sort_by",
    "sort_unstable_by",
    "reverse",
    "rotate_left",
    "rotate_right",
    "fill",
];

/// Other methods that write into a slice, which a row of a local matrix cannot run as written.
const WRITING: &[&str] = &[
    "chunks_mut",
    "chunks_exact_mut",
    "copy_within",
    "fill_with",
    "swap_with_slice",
    "split_at_mut",
];

impl Lowerer<'_> {
    /// `receiver.name(args)` on a local array, when `name` rearranges or overwrites it.
    pub(super) fn lower_in_place(
        &mut self,
        m: &syn::ExprMethodCall,
        receiver: &Value,
        name: &str,
        span: Span,
    ) -> Option<Value> {
        let Value::Array(a) = receiver else {
            return None;
        };
        let (dims, local) = (
            self.arrays[a.0].dims,
            self.arrays[a.0].origin == ArrayOrigin::Local,
        );
        self.in_place(&m.receiver, dims, local, m, name, span)
    }

    /// `l[i].swap(j, k)`, `l[i].fill(c)`, `l[i].reverse()` on a row of a local matrix: the
    /// same, on the row, its index taken once (`let r = i;`, then `l[r]`). Another method that
    /// writes the row (`chunks_mut`, `copy_within`) is an error: it would run as written, out
    /// of the sweeps' sight.
    pub(super) fn lower_in_place_on_row(
        &mut self,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<Value> {
        let Expr::Index(row) = &*m.receiver else {
            return None;
        };
        let Expr::Path(matrix) = &*row.expr else {
            return None;
        };
        let Some(Binding::Array(a)) = self.lookup(&matrix.path.get_ident()?.to_string()) else {
            return None;
        };
        let (dims, origin) = (self.arrays[a.0].dims, self.arrays[a.0].origin);
        if dims < 2 || origin != ArrayOrigin::Local || matches!(&*row.index, Expr::Range(_)) {
            return None;
        }
        if !IN_PLACE.contains(&name) {
            return WRITING.contains(&name).then(|| {
                self.unsupported(
                    &m.method,
                    &format!("#[grad] cannot differentiate `.{name}(..)` on a row of a local matrix: the sweeps would not see what it writes; index the row's elements (`for j in 0..n {{ l[i][j] = ..; }}`)"),
                )
            });
        }
        let index = &row.index;
        let r = Ident::new(&format!("{SYNTHETIC}row_{}", self.next_synthetic()), span);
        self.scopes.push(HashMap::default());
        self.lower_stmt(&syn::parse_quote_spanned!(span=> let #r = #index;));
        let on_row: Expr = syn::parse_quote_spanned!(span=> #matrix[#r]);
        let value = self.in_place(&on_row, dims - 1, true, m, name, span);
        self.scopes.pop();
        value
    }

    /// `v.name(args)` for an array `v` of `dims` indices (`local`: made in the function).
    fn in_place(
        &mut self,
        v: &Expr,
        dims: usize,
        local: bool,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<Value> {
        let args: Vec<&Expr> = m.args.iter().collect();
        let k = self.next_synthetic();
        let fresh = |n: &str| Ident::new(&format!("{SYNTHETIC}{name}_{n}_{k}"), span);
        let rewritten: Expr = match (name, &*args) {
            // Both elements read, then both written; on a local matrix (a pivot's rows), so
            // are the rows' elements, one column at a time (rows of other lengths, which the
            // swap would exchange whole, are a panic).
            ("swap", [i, j]) if dims <= 2 => {
                let [ia, ib, ta, tb, c] = ["i", "j", "a", "b", "c"].map(fresh);
                match dims {
                    1 => syn::parse_quote_spanned!(span=> {
                        let (#ia, #ib) = (#i, #j);
                        let (#ta, #tb) = (#v[#ia], #v[#ib]);
                        #v[#ia] = #tb;
                        #v[#ib] = #ta;
                    }),
                    _ => syn::parse_quote_spanned!(span=> {
                        let (#ia, #ib) = (#i, #j);
                        assert_eq!(#v[#ia].len(), #v[#ib].len(), "#[grad] swaps rows of one length");
                        for #c in 0..#v[#ia].len() {
                            let (#ta, #tb) = (#v[#ia][#c], #v[#ib][#c]);
                            #v[#ia][#c] = #tb;
                            #v[#ib][#c] = #ta;
                        }
                    }),
                }
            }
            ("sort_by" | "sort_unstable_by", [cmp]) if dims == 1 && local => {
                return Some(self.lower_sort_by(v, cmp, span, fresh));
            }
            ("reverse", []) if dims == 1 => {
                let [n, i] = ["n", "i"].map(fresh);
                syn::parse_quote_spanned!(span=> {
                    let #n = #v.len();
                    for #i in 0..#n / 2 {
                        #v.swap(#i, #n - 1 - #i);
                    }
                })
            }
            // `rotate_left(k)` moves the element at `k` to the front; `rotate_right(k)`, the
            // one at `n - k`. Both panic where `k > n`, as the methods do.
            ("rotate_left" | "rotate_right", [by]) if dims == 1 && local => {
                let [n, by_, old, i] = ["n", "by", "old", "i"].map(fresh);
                let from: Expr = match name {
                    "rotate_left" => syn::parse_quote_spanned!(span=> (#i + #by_) % #n),
                    _ => syn::parse_quote_spanned!(span=> (#i + #n - #by_) % #n),
                };
                syn::parse_quote_spanned!(span=> {
                    let (#n, #by_) = (#v.len(), #by);
                    assert!(#by_ <= #n, "rotating by more than the length");
                    let #old = #v.to_vec();
                    for #i in 0..#n {
                        #v[#i] = #old[#from];
                    }
                })
            }
            ("fill", [value]) if dims == 1 => {
                let [c, i] = ["value", "i"].map(fresh);
                syn::parse_quote_spanned!(span=> {
                    let #c = #value;
                    for #i in 0..#v.len() {
                        #v[#i] = #c;
                    }
                })
            }
            _ => return None,
        };
        Some(self.lower_expr(&rewritten))
    }

    /// `v.sort_by(cmp)` on a local vector: the order the comparison gives (data: no
    /// derivative flows through a comparison), then each element read from its place.
    fn lower_sort_by(
        &mut self,
        v: &Expr,
        cmp: &Expr,
        span: Span,
        fresh: impl Fn(&str) -> Ident,
    ) -> Value {
        let [order, unsorted, i] = ["order", "unsorted", "i"].map(fresh);
        // `f64::total_cmp` compares `f64`s only: the method compares dual numbers too, in
        // the extra modes
        let cmp: Expr = match cmp {
            Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "total_cmp") =>
            {
                syn::parse_quote_spanned!(span=> |a, b| a.total_cmp(b))
            }
            other => other.clone(),
        };
        // (`&v[..]`: a slice whatever `v` is, so the comparator's types are known)
        let ordering: Expr = syn::parse_quote_spanned!(span=>
            ::autodiff::__private::sort_order(&#v[..], #cmp)
        );
        let Some(Value::Scalar(o)) = self.try_opaque(&ordering, true) else {
            return Value::Error;
        };
        // Read in place by the reads below (a `Vec<usize>`, not to be moved).
        if let Some(v) = o.var() {
            let info = &mut self.vars[v.0];
            (info.name, info.span, info.visible) = (order.to_string(), span, true);
        }
        self.scopes.push(HashMap::default());
        let cell = self.new_cell(&order.to_string(), o, Ty::Unknown, false);
        self.bind(order.to_string(), cell);
        let sorted: Expr = syn::parse_quote_spanned!(span=> {
            let #unsorted = #v.to_vec();
            for #i in 0..#order.len() {
                #v[#i] = #unsorted[#order[#i]];
            }
        });
        let value = self.lower_expr(&sorted);
        self.scopes.pop();
        value
    }
}
