//! Families of constructs: each can be switched on or off, so the CI run enables exactly what
//! the macro supports today and the rest is turned on as support lands.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Arithmetic, float methods (method and path forms), let/let mut/shadowing, compound
    /// assignment. Always part of every program.
    Straight,
    /// `if`/`else if`/`else` as statement and expression.
    Branches,
    /// `match` on integers, as statement and expression; a statement's default arm may bind
    /// the scrutinee's variable (`k => ..`), in that arm only.
    Match,
    /// `for` over `a..b`, `a..=b`, `.rev()`, `.step_by(k)`.
    ForRange,
    /// `for` over `.iter()`, `.iter().enumerate()`, `.zip(..)`, matrix rows.
    ForIter,
    While,
    /// `loop` with `break`, and `break` out of `for`.
    LoopBreak,
    Continue,
    /// `return` from inside branches and loops.
    EarlyReturn,
    /// `[0.0; N]` and `vec![0.0; n]` written and read by index.
    LocalArrays,
    /// Parameters `[T; N]`, `&[T; N]`, `&[T]`, `&[[T; M]; N]`, `usize`.
    ArrayParams,
    /// Calls to generated `#[grad]` helpers with scalars, elements, arrays and matrix rows.
    Calls,
    /// `T: autodiff::Float` programs.
    Generic,
    /// `f32` programs (compared with a looser tolerance).
    F32,
    /// `x.iter().map(..).sum()`, `zip`, `enumerate().fold`, `skip/take/rev/step_by`,
    /// `windows(2)`, `product()`.
    IterChains,
    /// `let sq = |v: f64| v * v;` then `sq(a)`.
    Closures,
    /// `let [a, b] = *x;`, `let (u, v) = (.., ..);`.
    Destructuring,
    /// `T::from_f64(c).unwrap()` constants in generic programs.
    FromF64,
    /// Module-level `const` float tables indexed in the body.
    ConstTables,
    /// `let mut a = *w;`, `w.to_vec()`, written and read.
    ArrayCopies,
    /// `assert!` on integers in the body.
    Asserts,
    /// `let t = 1.0;` read before any assignment fixes its type: only a later use such as
    /// `f64::cos(t)` or `t * x` makes it a float. Without this family, such a variable is
    /// only written (`t += x`) until its type is known, as in `let mut s = 0.0; s += x[i];`.
    UntypedLiterals,
    /// A matrix row bound by `for row in w.iter()` iterated over in turn (`row.iter()`) or
    /// passed to a slice parameter.
    RowBindings,
    /// Float locals and early results that do not depend on a float input: `let t: f64 =
    /// 0.5;` read later, `let c = T::from(n).unwrap();`, `return 1.0;`. Without this family a
    /// constant start is immediately updated from an input (`let mut s = 0.0; s += x;`).
    ConstantLocals,
    /// `(a..=b).step_by(k)`, or `return`/`break` inside a `for` over `a..=b`.
    InclusiveStepExit,
    /// Early `return` in generic (`T: Float`) functions.
    GenericReturns,
    /// A negated constant passed to a `#[grad]` helper: `h(-0.5, x)`, `h(-(0.5), x)`.
    NegativeLiteralArgs,
    /// A local array passed to a call and written afterwards, or passed inside a loop (a
    /// scratch buffer reused across iterations).
    ScratchArrays,
    /// Float parameters as fields of a model `m: &M` (`#[derive(Params)]`; scalars, arrays,
    /// `Vec`s, matrices, a nested model `m.inner`), read as `m.a`, `m.w[i]`,
    /// `m.inner.w[i][j]`, iterated, copied (`let mut h = m.b;`), bound (`let w = &m.w;`),
    /// passed on (`&m.w`, `&m.w2[j]`, `&m.inner`, `m`); sometimes beside a data struct
    /// (`cfg.scale`) under `#[grad(m, ..)]`. The gradient is an `M`, the shadow `&mut M`.
    Models,
    /// Helpers that return `[F; N]` or `Vec<F>`, bound (`let y = g(..);`) or passed on
    /// (`h(&g(..))`) by their callers; each helper's `_adjoint` is also checked directly
    /// against the oracle's vector-Jacobian product.
    VectorOutputs,
    /// A data struct's float field (`cfg.scale`) in an argument of a `#[grad]` function,
    /// directly or through a local: the macro cannot see its type.
    DataFields,
    /// Reads of model fields: a field destructured (`let [a, b] = m.w;`), a matrix field's
    /// rows iterated (`for row in m.mat.iter()`), an alias (`let w = &m.w;`) chained
    /// (`.zip(..)`, `.skip(1)`, `.windows(2)`), copied (`*w`), destructured or asserted on, a
    /// copy of a field (`let c = m.w;`) passed to a call, a model passed whole beside its
    /// nested model.
    FieldPatterns,
    /// Uses of a call's array result `y`: passed to another call where the call that made it
    /// runs conditionally (in an `if`/`match` arm, after an early `return`, `break` or
    /// `continue`), bound inside a loop and iterated, copied (`let mut c = y;`), destructured
    /// (`let [a, b] = y;`).
    ArrayResults,
    /// A `vec![..]` returned by a function that reads a model's field, an alias of one or a
    /// call's array result inside it.
    VecLiterals,
    /// Float literals with the program's type as a suffix (`0_f64`, `2f64`, `1.5_f32`): loop
    /// accumulators' start values, operands, method receivers (`(2f64 * x).sqrt()`), the
    /// values of `const` items.
    SuffixedLiterals,
    /// Module constants `const C: &[F] = &[..];`, `const EPS: F = ..;`, `const TABLE: [F;
    /// K]` and `const N_TERMS: usize` read in bodies and passed to `#[grad]` helpers bare
    /// (`h(x, C)`, `h(EPS, x)`, `h(x, N_TERMS)`), by reference (`&TABLE`), or in arithmetic
    /// (`h(TABLE[1] - TABLE[0], x)`).
    ConstSlices,
    /// `f` as a method `fn f(&self, ..)` of the model `M`, under `#[grad(self, ..)]` on the
    /// method or on its `impl` block (an inherent impl, or a trait impl of a trait the
    /// program declares); sometimes `self` is data (`#[grad]`, `#[grad(x)]`). The runner
    /// calls `s.f_grad(..)`.
    Methods,
    /// Functions returning `Result<F, String>` or `Option<F>`: `return Err(..)`/`None` on a
    /// drawn condition, `Ok(v)`/`Some(v)` at the end, fallible helpers called with `?` or
    /// `.unwrap()`. An `Err`/`None` must pass through `_grad` and `_adjoint` unchanged,
    /// leaving the shadows untouched.
    Fallible,
    /// Array fields of a data struct (`cfg.shift`, and the array and model fields of a data
    /// `self`) iterated, copied and written, destructured, passed to a `#[grad]` function, or
    /// an element of one as an argument of it.
    DataArrays,
    /// A matrix field read only through its rows, which are never indexed (unread, only
    /// `.len()`, destructured: the macro once took the field for a 1-D array), or through the
    /// rows of an alias of it. Without this family a function that iterates a matrix field's
    /// rows also indexes the field.
    FieldRows,
    /// A copy of a model's array field (`let mut c = m.w;`) passed to a call in a branch
    /// (or after an early exit), and written afterwards.
    FieldCopies,
    /// A local vector filled, accumulated into over triangles of nested loops (`for j in i +
    /// 1..n`, from `i`, or below it) and read whole, sometimes per iteration of a loop around.
    Triangles,
    /// A scratch vector stored at the counter and read there by the loops after it (and at
    /// the outer counter of a triangle), per iteration of a loop around; sometimes read before
    /// its store, or left in scope for the code after.
    Centered,
    /// Float locals held in a local struct (`let mut t4 = Rec { v: x * 2.0 };`) and read
    /// and written as its field (`t4.v`, `t4.v += e`), in loops, branches and closures.
    Records,
    /// Remainders of floats: `a % b` and, outside generic programs, `a.rem_euclid(b)`.
    Remainders,
    /// In `f32` programs, float comparisons made in `f64` (`(a as f64) < (b as f64)`): a
    /// conversion to the other float type that decides only a branch.
    WidenedConditions,
    /// Values a loop shifts along from constant starts (`l2 = l1; l1 = ..;`, as a lag or the
    /// secant method does), the oldest read through a float method: it depends on an input
    /// only from the third iteration on.
    LaggedValues,
    /// Array `let`s that make a new `[F; N]` from an existing one (a parameter, by reference
    /// too, a local array, a row a loop binds), most often under the name they read: `let a = a.map(|v|
    /// ..);`, `let a: [F; N] = std::array::from_fn(|i| .. a[(i + 1) % N] ..);`, `let a = if c
    /// { [a[1], a[0]] } else { *a };`, chained, in straight code or once per iteration of a
    /// loop, the new array then read (indexed, `.iter().sum()`, passed to a helper).
    ArrayRebinds,
}

impl Family {
    pub const ALL: [Family; 48] = [
        Family::Straight,
        Family::Branches,
        Family::Match,
        Family::ForRange,
        Family::ForIter,
        Family::While,
        Family::LoopBreak,
        Family::Continue,
        Family::EarlyReturn,
        Family::LocalArrays,
        Family::ArrayParams,
        Family::Calls,
        Family::Generic,
        Family::F32,
        Family::IterChains,
        Family::Closures,
        Family::Destructuring,
        Family::FromF64,
        Family::ConstTables,
        Family::ArrayCopies,
        Family::Asserts,
        Family::UntypedLiterals,
        Family::RowBindings,
        Family::ConstantLocals,
        Family::InclusiveStepExit,
        Family::GenericReturns,
        Family::NegativeLiteralArgs,
        Family::ScratchArrays,
        Family::Models,
        Family::VectorOutputs,
        Family::DataFields,
        Family::FieldPatterns,
        Family::ArrayResults,
        Family::VecLiterals,
        Family::SuffixedLiterals,
        Family::ConstSlices,
        Family::Methods,
        Family::Fallible,
        Family::DataArrays,
        Family::FieldRows,
        Family::FieldCopies,
        Family::Records,
        Family::Triangles,
        Family::Centered,
        Family::Remainders,
        Family::WidenedConditions,
        Family::LaggedValues,
        Family::ArrayRebinds,
    ];

    /// The families the macro on `main` supports today: what the CI run enables. A new
    /// family starts outside it and joins once its runs are clean; all of them are in now.
    pub const SUPPORTED: [Family; 48] = [
        Family::Straight,
        Family::Branches,
        Family::Match,
        Family::ForRange,
        Family::ForIter,
        Family::While,
        Family::LoopBreak,
        Family::Continue,
        Family::EarlyReturn,
        Family::LocalArrays,
        Family::ArrayParams,
        Family::Calls,
        Family::Generic,
        Family::F32,
        Family::IterChains,
        Family::Closures,
        Family::Destructuring,
        Family::FromF64,
        Family::ConstTables,
        Family::ArrayCopies,
        Family::Asserts,
        Family::UntypedLiterals,
        Family::RowBindings,
        Family::ConstantLocals,
        Family::InclusiveStepExit,
        Family::GenericReturns,
        Family::NegativeLiteralArgs,
        Family::ScratchArrays,
        Family::Models,
        Family::VectorOutputs,
        Family::DataFields,
        Family::FieldPatterns,
        Family::ArrayResults,
        Family::VecLiterals,
        Family::SuffixedLiterals,
        Family::ConstSlices,
        Family::Methods,
        Family::Fallible,
        Family::DataArrays,
        Family::FieldRows,
        Family::FieldCopies,
        Family::Records,
        Family::Triangles,
        Family::Centered,
        Family::Remainders,
        Family::WidenedConditions,
        Family::LaggedValues,
        Family::ArrayRebinds,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Straight => "straight",
            Family::Branches => "branches",
            Family::Match => "match",
            Family::ForRange => "for-range",
            Family::ForIter => "for-iter",
            Family::While => "while",
            Family::LoopBreak => "loop-break",
            Family::Continue => "continue",
            Family::EarlyReturn => "early-return",
            Family::LocalArrays => "local-arrays",
            Family::ArrayParams => "array-params",
            Family::Calls => "calls",
            Family::Generic => "generic",
            Family::F32 => "f32",
            Family::IterChains => "iter-chains",
            Family::Closures => "closures",
            Family::Destructuring => "destructuring",
            Family::FromF64 => "from-f64",
            Family::ConstTables => "const-tables",
            Family::ArrayCopies => "array-copies",
            Family::Asserts => "asserts",
            Family::UntypedLiterals => "untyped-literals",
            Family::RowBindings => "row-bindings",
            Family::ConstantLocals => "constant-locals",
            Family::InclusiveStepExit => "inclusive-step-exit",
            Family::GenericReturns => "generic-returns",
            Family::NegativeLiteralArgs => "negative-literal-args",
            Family::ScratchArrays => "scratch-arrays",
            Family::Models => "models",
            Family::VectorOutputs => "vector-outputs",
            Family::DataFields => "data-fields",
            Family::FieldPatterns => "field-patterns",
            Family::ArrayResults => "array-results",
            Family::VecLiterals => "vec-literals",
            Family::SuffixedLiterals => "suffixed-literals",
            Family::ConstSlices => "const-slices",
            Family::Methods => "methods",
            Family::Fallible => "fallible",
            Family::DataArrays => "data-arrays",
            Family::FieldRows => "field-rows",
            Family::FieldCopies => "field-copies",
            Family::Records => "records",
            Family::Triangles => "triangles",
            Family::Centered => "centered",
            Family::Remainders => "remainders",
            Family::WidenedConditions => "widened-conditions",
            Family::LaggedValues => "lagged-values",
            Family::ArrayRebinds => "array-rebinds",
        }
    }

    /// Parses `all`, `supported`, or a comma-separated list of family names; `-name` takes
    /// a family out of what the list named before it (`all,-models,-methods`: every family
    /// that second order can check).
    pub fn parse_list(s: &str) -> Result<Vec<Family>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (remove, name) = match part.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, part),
            };
            match name {
                "all" if !remove => out.extend(Family::ALL),
                "supported" if !remove => out.extend(Family::SUPPORTED),
                _ => match Family::ALL.iter().find(|f| f.name() == name) {
                    Some(f) if remove => out.retain(|g| g != f),
                    Some(f) => out.push(*f),
                    None => {
                        let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
                        return Err(format!(
                            "unknown family `{part}`; known: all, supported, {}",
                            names.join(", ")
                        ));
                    }
                },
            }
        }
        if !out.contains(&Family::Straight) {
            out.push(Family::Straight);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}
