//! Labeled loops, rewritten before lowering into the plain loops the sweeps know: a
//! `break 'outer` or `continue 'outer` from an inner loop sets a flag and leaves the inner
//! loop; after each loop it may leave that way, the flag is checked, up to the labeled loop.
//!
//! ```text
//! 'outer: for i in 0..n {            for i in 0..n {
//!     for j in 0..m {                    let mut __autodiff_break = false;
//!         if x[j] > t {                  for j in 0..m {
//!             break 'outer;      =>          if x[j] > t { __autodiff_break = true; break; }
//!         }                              }
//!     }                                  if __autodiff_break { break; }
//! }                                  }
//! ```
//!
//! The flags are declared at the top of the labeled loop's body, so a `continue 'outer`
//! starts the next iteration with them cleared.

use proc_macro2::Span;
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Expr, Ident, Lifetime, Stmt};

use super::SYNTHETIC;

/// Rewrites every labeled `for`, `while` and `loop` statement of `block` (not those of
/// closures or nested items).
pub fn desugar(block: &mut syn::Block) {
    Labeled { count: 0 }.visit_block_mut(block);
}

struct Labeled {
    /// Labeled loops rewritten so far: each gets flags of its own.
    count: usize,
}

impl VisitMut for Labeled {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let (label, body) = match e {
            Expr::ForLoop(l) => (&mut l.label, &mut l.body),
            Expr::While(l) => (&mut l.label, &mut l.body),
            Expr::Loop(l) => (&mut l.label, &mut l.body),
            _ => return visit_mut::visit_expr_mut(self, e),
        };
        if let Some(label) = label.take() {
            let suffix = match self.count {
                0 => String::new(),
                k => format!("_{k}"),
            };
            self.count += 1;
            let mut exits = Exits {
                label: label.name.ident,
                depth: 0,
                broke: false,
                continued: false,
                flag_break: Ident::new(&format!("{SYNTHETIC}break{suffix}"), Span::call_site()),
                flag_continue: Ident::new(
                    &format!("{SYNTHETIC}continue{suffix}"),
                    Span::call_site(),
                ),
            };
            exits.visit_block_mut(body);
            let mut flags: Vec<Stmt> = Vec::new();
            let (b, c) = (&exits.flag_break, &exits.flag_continue);
            if exits.broke {
                flags.push(parse_quote!(let mut #b = false;));
            }
            if exits.continued {
                flags.push(parse_quote!(let mut #c = false;));
            }
            body.stmts.splice(0..0, flags);
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The exits to one labeled loop from inside its body.
struct Exits {
    label: Ident,
    /// Loops entered since the labeled one's body.
    depth: usize,
    broke: bool,
    continued: bool,
    flag_break: Ident,
    flag_continue: Ident,
}

impl Exits {
    fn targets(&self, label: &Option<Lifetime>) -> bool {
        label.as_ref().is_some_and(|l| l.ident == self.label)
    }

    /// What follows a loop statement some exits leave through: leave the loop it is in too,
    /// or, in the labeled loop's own body, do what the exit asked.
    fn after_loop(&self, broke: bool, continued: bool) -> Vec<Stmt> {
        let (b, c) = (&self.flag_break, &self.flag_continue);
        let mut out: Vec<Stmt> = Vec::new();
        match self.depth {
            0 => {
                if broke {
                    out.push(parse_quote!(if #b { break; }));
                }
                if continued {
                    out.push(parse_quote!(if #c { continue; }));
                }
            }
            _ => {
                let cond: Expr = match (broke, continued) {
                    (true, true) => parse_quote!(#b || #c),
                    (true, false) => parse_quote!(#b),
                    _ => parse_quote!(#c),
                };
                out.push(parse_quote!(if #cond { break; }));
            }
        }
        out
    }
}

impl VisitMut for Exits {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let stmts = std::mem::take(&mut block.stmts);
        for mut stmt in stmts {
            let before = (self.broke, self.continued);
            self.visit_stmt_mut(&mut stmt);
            let is_loop = matches!(
                &stmt,
                Stmt::Expr(Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_), _)
            );
            // Set inside this loop statement (the flags only ever turn on).
            let broke = self.broke && !before.0;
            let continued = self.continued && !before.1;
            block.stmts.push(stmt);
            if is_loop && (broke || continued) {
                block.stmts.extend(self.after_loop(broke, continued));
            }
        }
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let (b, c) = (&self.flag_break, &self.flag_continue);
        match e {
            Expr::Break(x) if self.targets(&x.label) => {
                if self.depth == 0 {
                    x.label = None;
                } else if x.expr.is_none() {
                    *e = parse_quote!({ #b = true; break; });
                    self.broke = true;
                }
                // A value carried out of an inner loop is reported when lowered.
            }
            Expr::Continue(x) if self.targets(&x.label) => {
                if self.depth == 0 {
                    x.label = None;
                } else {
                    *e = parse_quote!({ #c = true; break; });
                    self.continued = true;
                }
            }
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                self.depth += 1;
                visit_mut::visit_expr_mut(self, e);
                self.depth -= 1;
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
