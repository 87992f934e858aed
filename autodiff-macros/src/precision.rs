//! Conversions between float types. `#[grad]` differentiates in the function's one float
//! type: a differentiated value converted to the other one (`x as f64` in an `f32` function,
//! `f64::from(x)`) is data to the sweeps, so its derivative would be lost without a word
//! wherever the converted value reaches the result. That is reported at the conversion.

use crate::activity::Analysis;
use crate::diag::Errors;
use quote::ToTokens;

use crate::ir::{conversion_target, Arg, Body, Op, Operand, Stmt, Ty, Var};
use crate::lower::{primitive_float, primitive_float_type};

/// Reports every conversion of a differentiated value to another float type that the result
/// depends on. A converted value that decides only a branch or a count stays allowed: no
/// derivative flows through a condition.
pub fn check(body: &Body, analysis: &Analysis, float: &syn::Type, errors: &mut Errors) {
    let mut conversions = Vec::new();
    body.block.for_each_stmt(&mut |stmt| {
        let Stmt::Let { var, op } = stmt else { return };
        // `x as f64`, `f64::from(x)`; `f64::from(x).unwrap()`, `f64::from_f32(x).unwrap()`.
        let (x, to) = match op {
            Op::Cast(Operand::Var(x), ty) => (x, primitive_float_type(ty)),
            Op::NumCast(path, Operand::Var(x)) => {
                (x, conversion_target(path).and_then(primitive_float))
            }
            _ => return,
        };
        let differentiated = body.var(*x).ty == Ty::Float && analysis.varied[x.0];
        if let (Some(to), true) = (to, differentiated) {
            conversions.push((*var, *x, to));
        }
    });
    if conversions.is_empty() {
        return;
    }
    let reaches = reaches_result(body);
    let from = float.to_token_stream().to_string();
    for (var, x, to) in conversions {
        if reaches[var.0] {
            let mut instead = if primitive_float_type(float).is_some() {
                format!("compute in `{from}` throughout, or write the function in `{to}` (or generic over `T: Float`) and convert at the call site")
            } else {
                format!("compute in `{from}` throughout")
            };
            if calls(body, x) {
                instead.push_str("; a call that returns an integer is bound first (`let k: usize = g(..);`, then `k as f64`)");
            }
            errors.at(
                body.var(var).span,
                format!(
                    "#[grad] cannot differentiate a conversion from `{from}` to `{to}`: it differentiates in one float type per function (`{from}` here), so the derivative would not follow the value; {instead}"
                ),
            );
        }
    }
}

/// Whether `x` is a call's result.
fn calls(body: &Body, x: Var) -> bool {
    let mut call = false;
    body.block.for_each_stmt(&mut |stmt| {
        if let Stmt::Let {
            var,
            op: Op::Call { .. },
        } = stmt
        {
            call |= *var == x;
        }
    });
    call
}

/// Per variable: whether the function's result may depend on its value through a data flow
/// that could carry a derivative (arithmetic, casts between float types, opaque expressions,
/// arrays, branches' and loops' merged values), whether or not one follows it.
fn reaches_result(body: &Body) -> Vec<bool> {
    let n_vars = body.vars.len();
    let node = |op: &Operand| op.var().map(|v| v.0);
    let array = |a: crate::ir::ArrayId| n_vars + a.0;
    // Edges `to <- from`, over variables then arrays.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    body.block.for_each_stmt(&mut |stmt| {
        let mut from_args = |to: usize, args: &[Arg]| {
            for arg in args {
                match arg {
                    Arg::Scalar(x) => edges.extend(node(x).map(|f| (to, f))),
                    Arg::Data { .. } => {}
                    Arg::Record { fields, .. } => {
                        edges.extend(fields.iter().filter_map(|(_, x)| node(x)).map(|f| (to, f)))
                    }
                    Arg::Array(a) => edges.push((to, array(a.array))),
                }
            }
        };
        match stmt {
            Stmt::Let { var, op } => {
                match op {
                    Op::Load { array: a, .. } => edges.push((var.0, array(*a))),
                    Op::Call { args, .. } => from_args(var.0, args),
                    _ => {}
                }
                op.visit_operands(&mut |x| edges.extend(node(x).map(|f| (var.0, f))));
            }
            Stmt::Store {
                array: a, value, ..
            } => edges.extend(node(value).map(|f| (array(*a), f))),
            Stmt::DeclareArray { array: a, fill, .. } => {
                edges.extend(node(fill).map(|f| (array(*a), f)));
            }
            Stmt::CallArray { array: a, args, .. } => from_args(array(*a), args),
            Stmt::If { phis, .. } => {
                for phi in phis {
                    for value in [&phi.then_value, &phi.else_value] {
                        edges.extend(node(value).map(|f| (phi.var.0, f)));
                    }
                }
            }
            Stmt::Loop(l) => {
                for c in &l.carried {
                    for value in [&c.init, &c.next] {
                        edges.extend(node(value).map(|f| (c.inner.0, f)));
                        edges.extend(node(value).map(|f| (c.out.0, f)));
                    }
                    edges.push((c.out.0, c.inner.0));
                }
            }
            Stmt::Resize { .. } | Stmt::Effect(_) => {}
        }
    });
    let mut reaches = vec![false; n_vars + body.arrays.len()];
    match body.output {
        Some(a) => reaches[array(a)] = true,
        None => {
            if let Some(v) = body.result.var() {
                reaches[v.0] = true;
            }
        }
    }
    // An integer or a bool carries no derivative (`(x as f64 * 4.0) as usize`, `y > 0.5`).
    let stops = |i: usize| i < n_vars && matches!(body.vars[i].ty, Ty::Int | Ty::Bool);
    let mut changed = true;
    while changed {
        changed = false;
        for &(to, from) in &edges {
            if reaches[to] && !reaches[from] && !stops(to) {
                reaches[from] = true;
                changed = true;
            }
        }
    }
    reaches.truncate(n_vars);
    reaches
}
