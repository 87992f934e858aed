//! Locals that only `macro_rules!` hygiene tells apart. In a function a macro writes, the
//! template's own `let x = 100.0;` and a caller's `x` substituted into it (`$body`) are two
//! variables to rustc, though spelt the same; the lowering, which knows names by their text,
//! would take one for the other. Before it runs, every binding of such a name but those of
//! one hygiene context gets a name of its own (`x_h5`), at its binding and at its uses, which
//! keep their spans, so the generated code still resolves each as rustc does.
//!
//! A span's hygiene context is not public: `Debug` prints it (`#5 bytes(547..548)`). Where
//! that is not available (outside a compiler, in the macro's unit tests) every name is taken
//! to be of one context, as before.
//!
//! The same goes for a closure's parameter that shadows a local (`|(w, h)| w * h` beside
//! `let mut h = net.b;`): analyses that know locals by name would take one for the other, so
//! it is renamed inside its closure (`h_c1`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{FnArg, ItemFn};

use crate::hash::{HashMap, HashSet};

/// `item` with the locals of other hygiene contexts renamed, if it has any.
pub fn separated(item: &ItemFn) -> Option<ItemFn> {
    let mut bindings = Bindings::default();
    for input in &item.sig.inputs {
        if let FnArg::Typed(pt) = input {
            bindings.parameter = true;
            bindings.visit_pat(&pt.pat);
            bindings.parameter = false;
        }
    }
    bindings.visit_block(&item.block);
    // Per name bound in several contexts, the context that keeps it: a parameter's, or the
    // first one met.
    let mut renamed: HashMap<(String, u32), Ident> = HashMap::default();
    let taken: HashSet<String> = bindings.contexts.keys().cloned().collect();
    for (name, contexts) in &bindings.contexts {
        if contexts.len() < 2 {
            continue;
        }
        let kept = bindings
            .parameters
            .get(name)
            .copied()
            .unwrap_or(contexts[0]);
        for &context in contexts.iter().filter(|&&c| c != kept) {
            let mut fresh = format!("{}_h{context}", name.trim_start_matches("r#"));
            while taken.contains(&fresh) {
                fresh.push('_');
            }
            renamed.insert(
                (name.clone(), context),
                Ident::new(&fresh, Span::call_site()),
            );
        }
    }
    if renamed.is_empty() {
        return None;
    }
    let mut item = item.clone();
    Rename(&renamed).visit_item_fn_mut(&mut item);
    Some(item)
}

/// The hygiene context of `ident`'s span, if the compiler says.
fn context(ident: &Ident) -> Option<u32> {
    let printed = format!("{:?}", ident.span());
    let digits = printed.strip_prefix('#')?.split(' ').next()?;
    digits.parse().ok()
}

/// The contexts each local name is bound in, in the order met.
#[derive(Default)]
struct Bindings {
    contexts: BTreeMap<String, Vec<u32>>,
    parameters: HashMap<String, u32>,
    parameter: bool,
}

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        if let Some(context) = context(&p.ident) {
            let name = p.ident.to_string();
            let contexts = self.contexts.entry(name.clone()).or_default();
            if !contexts.contains(&context) {
                contexts.push(context);
            }
            if self.parameter {
                self.parameters.insert(name, context);
            }
        }
        syn::visit::visit_pat_ident(self, p);
    }

    // Items in the body have locals of their own.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Renames the bindings and uses of the names in its map, by context (`ANY_CONTEXT`: of
/// every context).
struct Rename<'a>(&'a HashMap<(String, u32), Ident>);

/// The context of a name renamed whatever its context.
const ANY_CONTEXT: u32 = u32::MAX;

impl Rename<'_> {
    fn renamed(&self, ident: &Ident) -> Option<Ident> {
        let name = ident.to_string();
        let fresh = match self.0.get(&(name.clone(), ANY_CONTEXT)) {
            Some(fresh) => fresh,
            None => self.0.get(&(name, context(ident)?))?,
        };
        Some(Ident::new(&fresh.to_string(), ident.span()))
    }

    fn tokens(&self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Ident(i) => TokenTree::Ident(self.renamed(&i).unwrap_or(i)),
                TokenTree::Group(g) => {
                    let mut group = proc_macro2::Group::new(g.delimiter(), self.tokens(g.stream()));
                    group.set_span(g.span());
                    TokenTree::Group(group)
                }
                other => other,
            })
            .collect()
    }
}

impl VisitMut for Rename<'_> {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if let Some(fresh) = self.renamed(&p.ident) {
            p.ident = fresh;
        }
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if e.qself.is_none() && e.path.segments.len() == 1 {
            let segment = &mut e.path.segments[0];
            if let Some(fresh) = self.renamed(&segment.ident) {
                segment.ident = fresh;
            }
        }
    }

    // `Point { x }`: the field keeps its name, the value is the renamed local.
    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        if f.colon_token.is_none() {
            if let syn::Expr::Path(p) = &f.expr {
                if p.path.get_ident().and_then(|i| self.renamed(i)).is_some() {
                    f.colon_token = Some(Default::default());
                }
            }
        }
        syn::visit_mut::visit_field_value_mut(self, f);
    }

    fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
        if let (None, syn::Pat::Ident(p)) = (&f.colon_token, &*f.pat) {
            if self.renamed(&p.ident).is_some() {
                f.colon_token = Some(Default::default());
            }
        }
        syn::visit_mut::visit_field_pat_mut(self, f);
    }

    // `assert!(x > 0.0)`: a macro's arguments name the locals too.
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.tokens(std::mem::take(&mut m.tokens));
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `item` with the closure parameters that shadow its other locals renamed inside their
/// closures, if it has any.
pub fn closures_separated(item: &ItemFn) -> Option<ItemFn> {
    let mut outer = OuterNames::default();
    for input in &item.sig.inputs {
        if let FnArg::Typed(pt) = input {
            outer.visit_pat(&pt.pat);
        }
    }
    outer.visit_block(&item.block);
    // (most functions have none: no copy of them then)
    let mut params = ClosuresParams(Vec::new());
    params.visit_block(&item.block);
    if !params.0.iter().any(|name| outer.0.contains(name)) {
        return None;
    }
    let mut item = item.clone();
    let mut renaming = ClosureParams {
        outer: &outer.0,
        count: 0,
    };
    renaming.visit_block_mut(&mut item.block);
    (renaming.count > 0).then_some(item)
}

/// The names bound outside closures.
#[derive(Default)]
struct OuterNames(HashSet<String>);

impl<'ast> Visit<'ast> for OuterNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.visit_expr(&c.body);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Renames, in each closure, the parameters named like an outer local.
struct ClosureParams<'a> {
    outer: &'a HashSet<String>,
    count: usize,
}

impl VisitMut for ClosureParams<'_> {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let mut params = Vec::new();
        for input in &c.inputs {
            Params(&mut params).visit_pat(input);
        }
        let mut renamed: HashMap<(String, u32), Ident> = HashMap::default();
        for name in params.iter().filter(|n| self.outer.contains(*n)) {
            self.count += 1;
            let mut fresh = format!("{}_c{}", name.trim_start_matches("r#"), self.count);
            while self.outer.contains(&fresh) || params.contains(&fresh) {
                fresh.push('_');
            }
            renamed.insert(
                (name.clone(), ANY_CONTEXT),
                Ident::new(&fresh, Span::call_site()),
            );
        }
        if !renamed.is_empty() {
            let mut rename = Rename(&renamed);
            for input in &mut c.inputs {
                rename.visit_pat_mut(input);
            }
            rename.visit_expr_mut(&mut c.body);
        }
        self.visit_expr_mut(&mut c.body);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The names the parameters of every closure bind.
struct ClosuresParams(Vec<String>);

impl<'ast> Visit<'ast> for ClosuresParams {
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        for input in &c.inputs {
            Params(&mut self.0).visit_pat(input);
        }
        self.visit_expr(&c.body);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// The names a closure's parameter patterns bind.
struct Params<'a>(&'a mut Vec<String>);

impl<'ast> Visit<'ast> for Params<'_> {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }
}
