//! Arrays made from arrays, each as the loop it stands for: `std::array::from_fn(|i| ..)` and
//! `x.map(f)` of an array, a row (`row.map(f)` for `row` in `m.iter()`) or a `const` table,
//! whose lengths come from the types or from the `let`.

use super::*;
use syn::parse_quote;

impl Lowerer<'_> {
    /// `let y: [E; N] = std::array::from_fn(|i| ..);` as the loop it stands for: `let mut y:
    /// [E; N] = [0.0; N]; for i in 0..N { y[i] = ..; }`.
    pub(super) fn lower_array_from_fn(
        &mut self,
        local: &syn::Local,
        pat: &Pat,
        annotated: Option<&syn::Type>,
        element: &Expr,
    ) {
        let (Pat::Ident(pi), Some(syn::Type::Array(ty))) = (pat, annotated) else {
            self.errors.on(
                local,
                "#[grad] needs the array that `std::array::from_fn` makes to be bound to a name with its type (`let y: [f64; 3] = std::array::from_fn(|i| ..);`)",
            );
            self.poison(&local.pat);
            return;
        };
        let float = &self.sig.float;
        let elem_of = |ty: &syn::Type| match ty {
            syn::Type::Infer(_) => parse_quote!(#float),
            elem => elem.clone(),
        };
        let syn::Type::Array(row) = &*ty.elem else {
            let elem = elem_of(&ty.elem);
            self.fill_array(&pi.ident, &elem, &ty.len, |index| {
                iter::apply(element, vec![parse_quote!(#index)])
            });
            return;
        };
        // `[[T; M]; N]`: a row per index, each made by an inner `from_fn` (element by element)
        // or any expression of a row (a literal, a copy), written into the matrix in place.
        let elem: syn::Type = elem_of(&row.elem);
        let zero = rules::float_literal(&elem, true, 0.0);
        let (name, n, m) = (&pi.ident, &ty.len, &row.len);
        let k = self.next_synthetic();
        let [j, i] = ["j", "i"]
            .map(|x| proc_macro2::Ident::new(&format!("{SYNTHETIC}{x}_{k}"), name.span()));
        let SynStmt::Local(declare) =
            parse_quote!(let mut #name: [[#elem; #m]; #n] = [[#zero; #m]; #n];)
        else {
            unreachable!("a `let` statement")
        };
        self.lower_let(&declare);
        let value = iter::apply(element, vec![parse_quote!(#j)]);
        let fill: Expr = match (rows_from_fn(element), &value) {
            // The outer index bound, the statements before the inner `from_fn`, then its
            // closure's value element by element.
            (Some((outer, before, inner)), _) => {
                let v = iter::apply(inner, vec![parse_quote!(#i)]);
                parse_quote!(for #j in 0..#n {
                    let #outer = #j;
                    #(#before)*
                    for #i in 0..#m { #name[#j][#i] = #v; }
                })
            }
            // A row literal is written element by element, with no row in between.
            (None, row) if arrays::branch_array_len(row).is_some() => {
                let written = arrays::assign_tails(row, &quote::quote!(#name[#j]));
                parse_quote!(for #j in 0..#n { #written })
            }
            (None, row) => parse_quote!(for #j in 0..#n { #name[#j] = #row; }),
        };
        self.lower_expr(&fill);
    }

    /// `let mut name: [elem; len] = [0; len]; for i in 0..len { name[i] = value(i); }`.
    pub(super) fn fill_array(
        &mut self,
        name: &proc_macro2::Ident,
        elem: &syn::Type,
        len: &Expr,
        value: impl FnOnce(&proc_macro2::Ident) -> Expr,
    ) {
        let index = proc_macro2::Ident::new(
            &format!("{SYNTHETIC}i_{}", self.next_synthetic()),
            name.span(),
        );
        let value = value(&index);
        self.declare_array(name, elem, len);
        self.lower_expr(&parse_quote!(for #index in 0..#len { #name[#index] = #value; }));
    }

    /// `x.map(f)` where a value is expected, as the array `let` binds (above), under a
    /// synthetic name.
    pub(super) fn mapped_array(&mut self, expr: &Expr) -> Option<ArrayId> {
        let (array, len, f) = self.array_map(expr, None)?;
        let name = proc_macro2::Ident::new(
            &format!("{SYNTHETIC}mapped_{}", self.next_synthetic()),
            expr.span(),
        );
        self.lower_array_map(&name, None, array, &len, f);
        match self.lookup(&name.to_string()) {
            Some(Binding::Array(id)) => Some(id),
            _ => None,
        }
    }

    /// `let name = array.map(f);` (`x.map(|v| ..)` of an array of known length): the array
    /// `from_fn` makes; of rows when `f` makes one (`a.map(|r| [r[0], r[1] * r[1]])`).
    pub(super) fn lower_array_map(
        &mut self,
        name: &proc_macro2::Ident,
        annotated: Option<&syn::Type>,
        array: &Expr,
        len: &Expr,
        f: &Expr,
    ) {
        match self.mapped_rows(annotated, len, f) {
            Some(ty) => {
                let j = proc_macro2::Ident::new(
                    &format!("{SYNTHETIC}j_{}", self.next_synthetic()),
                    name.span(),
                );
                let row = iter::apply(f, vec![parse_quote!(#array[#j])]);
                self.lower_stmt(&parse_quote!(
                    let #name: #ty = ::std::array::from_fn(|#j| #row);
                ));
            }
            None => {
                let elem = self.element_type(annotated);
                self.fill_array(name, &elem, len, |index| {
                    iter::apply(f, vec![parse_quote!(#array[#index])])
                });
            }
        }
    }

    /// The type of the matrix `x.map(f)` makes when `f` makes rows: written on the `let`
    /// (`[[f64; 2]; 3]`), or from the length of the array literal `f` ends in.
    fn mapped_rows(
        &self,
        annotated: Option<&syn::Type>,
        len: &Expr,
        f: &Expr,
    ) -> Option<syn::Type> {
        if let Some(syn::Type::Array(outer)) = annotated {
            return matches!(&*outer.elem, syn::Type::Array(_))
                .then(|| syn::Type::Array(outer.clone()));
        }
        let Expr::Closure(c) = f else {
            return None;
        };
        let m = match &*c.body {
            Expr::Array(a) => a.elems.len(),
            body => arrays::branch_array_len(body)?,
        };
        let (float, m) = (&self.sig.float, syn::Index::from(m));
        Some(parse_quote!([[#float; #m]; #len]))
    }

    /// Whether `m` maps the array a differentiated call returns (`g(x).map(f)`,
    /// `self.l1.forward(x).map(f)`), which a float does not have.
    pub(super) fn maps_returned_array(&self, m: &syn::ExprMethodCall) -> bool {
        let call = match &*m.receiver {
            Expr::Call(_) => true,
            Expr::MethodCall(r) => self.model_method(r).is_some(),
            _ => false,
        };
        m.method == "map"
            && matches!(&*m.args.iter().collect::<Vec<_>>(), [Expr::Closure(_)])
            && call
            && self.reads(&m.receiver.to_token_stream()).varied
    }

    /// `x.map(f)` of a float array `x` of constant length: `x`, its length and `f`.
    pub(super) fn array_map<'e>(
        &self,
        expr: &'e Expr,
        annotated: Option<&syn::Type>,
    ) -> Option<(&'e Expr, Expr, &'e Expr)> {
        let Expr::MethodCall(m) = expr else {
            return None;
        };
        let ([f], true) = (&*m.args.iter().collect::<Vec<_>>(), m.method == "map") else {
            return None;
        };
        // The length of a row of a float matrix `array` (`row.map(f)` for `row` in `m.iter()`,
        // `m[i].map(f)`): from the matrix's type, or from the `let`.
        let row_len = |array: ArrayId| {
            let info = &self.arrays[array.0];
            let len = match (info.lens.get(1), annotated) {
                (Some(Operand::Const(len)), _) => len.clone(),
                (_, Some(syn::Type::Array(a))) => a.len.clone(),
                _ => return None,
            };
            (info.dims == 2 && info.elem == Elem::Float).then_some(len)
        };
        // (`(&m_w[k])` where the models pass rewrote a loop over a field's rows)
        let mut receiver = &*m.receiver;
        while let Expr::Paren(syn::ExprParen { expr, .. })
        | Expr::Reference(syn::ExprReference { expr, .. }) = receiver
        {
            receiver = expr;
        }
        if let Expr::Index(row) = receiver {
            let Expr::Path(p) = &*row.expr else {
                return None;
            };
            let Some(Binding::Array(array)) = self.lookup(&p.path.get_ident()?.to_string()) else {
                return None;
            };
            return row_len(array).map(|len| (receiver, len, *f));
        }
        let Expr::Path(p) = &*m.receiver else {
            return None;
        };
        let binding = self.lookup(&p.path.get_ident()?.to_string());
        // `TENORS.map(|t| (-z * t).exp())` of a `const` table, its length stated on the `let`
        // (`let d: [f64; 3] = ..`): read element by element, as `TENORS[i]`.
        if let (None, Some(syn::Type::Array(a))) = (&binding, annotated) {
            return crate::lower::float_data::indexes_constant(&parse_quote!(#p[0]))
                .then(|| (&*m.receiver, a.len.clone(), *f));
        }
        if let Some(Binding::Row { array, .. }) = &binding {
            return row_len(*array).map(|len| (&*m.receiver, len, *f));
        }
        let Some(Binding::Array(id)) = binding else {
            return None;
        };
        // Of rows too (`a.map(|r| ..)` of a `[[f64; 2]; 3]`): `f` takes each row.
        let info = &self.arrays[id.0];
        match (
            info.dims,
            info.elem == Elem::Float,
            info.lens.first(),
            annotated,
        ) {
            (1 | 2, true, Some(Operand::Const(len)), _) => Some((&*m.receiver, len.clone(), f)),
            // A call's result, whose length the `let` of the map states (`let y: [f64; 3] =
            // z.map(f);`): `map` keeps it.
            (1 | 2, true, None, Some(syn::Type::Array(a))) => {
                Some((&*m.receiver, a.len.clone(), f))
            }
            _ => None,
        }
    }
}

/// The closure `|j| std::array::from_fn(|i| ..)` of a matrix's rows, or `|j| { let s = ..;
/// std::array::from_fn(|i| ..) }` with statements before the inner one: the outer index's
/// pattern, those statements and the inner closure. (Not with a `return` among them, which
/// would leave the function where the closure is inlined.)
fn rows_from_fn(element: &Expr) -> Option<(&Pat, &[SynStmt], &Expr)> {
    let Expr::Closure(c) = element else {
        return None;
    };
    let [outer] = &*c.inputs.iter().collect::<Vec<_>>() else {
        return None;
    };
    let (before, value) = match &*c.body {
        Expr::Block(b) if b.label.is_none() => match b.block.stmts.split_last()? {
            (SynStmt::Expr(value, None), before) => (before, value),
            _ => return None,
        },
        value => (&[][..], value),
    };
    let leaves = contains_return(&syn::Block {
        brace_token: Default::default(),
        stmts: before.to_vec(),
    });
    match leaves {
        true => None,
        false => Some((*outer, before, array_from_fn(value)?)),
    }
}

/// The closure of `std::array::from_fn(f)` (or `core::array::from_fn`, `array::from_fn`).
pub(super) fn array_from_fn(expr: &Expr) -> Option<&Expr> {
    let Expr::Call(c) = expr else {
        return None;
    };
    let Expr::Path(p) = &*c.func else {
        return None;
    };
    let from_fn = super::path_matches(&p.path, |names| {
        matches!(
            names,
            ["array", "from_fn"] | ["std" | "core", "array", "from_fn"]
        )
    });
    match (from_fn, c.args.len()) {
        (true, 1) => c.args.first(),
        _ => None,
    }
}
