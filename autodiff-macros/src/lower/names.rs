//! What a name says of what it names, where the macro cannot see a type: a count or a size
//! (`N_STEPS`, `input_dim`), a `CONSTANT`, a constructor (`Meters(..)`, `Act::Relu`,
//! `Gaussian::new(..)`).

use syn::Expr;

/// Words that name a count, a size or an index, never a float parameter (`INPUT_DIM`,
/// `N_STEPS`).
const COUNT_WORDS: &[&str] = &[
    "DIM",
    "DIMS",
    "SIZE",
    "SIZES",
    "LEN",
    "LENS",
    "COUNT",
    "COUNTS",
    "STEPS",
    "ITERS",
    "ITERATIONS",
    "NUM",
    "ROWS",
    "COLS",
    "IDX",
    "INDEX",
    "CLASSES",
    "LAYERS",
    "UNITS",
    "BATCH",
    "EPOCHS",
    "ITER",
];

/// Words that name a count, a size or an index more often than a float, which some float
/// parameters are named by (`K`, a stiffness; `N`, a Hill coefficient; `MAX`): `child`,
/// `token_id`, `node`, the links of trees and the ids of embeddings; `user`, `item`, of a
/// recommender's tables.
const SIZE_WORDS: &[&str] = &[
    "ORDER", "DEGREE", "TERMS", "CLASS", "ID", "IDS", "CHILD", "PARENT", "NODE", "TOKEN", "WORD",
    "USER", "ITEM", "GROUP", "CLUSTER",
];

/// Words that name a size as often as a float's bound or a physical constant (`N` and a
/// Hill coefficient `N`, `WIDTH` of an image and of a force-length curve, `MAX` of a loop and
/// `F_MAX`, `V_MAX`, `K_TENDON`): a size when the name says nothing else (`N`, `MAX_DEPTH`,
/// `N_MAX`), not beside another word (`F_MAX`, `FORCE_LENGTH_WIDTH`) or a letter (`K_M`).
const WEAK_SIZE_WORDS: &[&str] = &[
    "N", "M", "K", "D", "H", "I", "J", "WIDTH", "HEIGHT", "DEPTH", "MAX", "MIN",
];

/// A name (in upper case) that says it is a count, a size or an index: a size word (`DIM`,
/// `N_STEPS`, `CLASS`), or words that name a size alone (`N`, `MAX_DEPTH`; `WEAK_SIZE_WORDS`).
/// Other single letters (`C`, `A`) are as often tables as sizes: the body's own integer reads
/// of them decide.
pub(super) fn is_size_name(name: &str) -> bool {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let strong = |w: &&str| COUNT_WORDS.contains(w) || SIZE_WORDS.contains(w);
    if words.iter().any(strong) {
        return true;
    }
    let letters = words.iter().filter(|w| w.len() == 1).count();
    !words.is_empty()
        && words.iter().all(|w| WEAK_SIZE_WORDS.contains(w))
        && (words.len() == 1 || letters < 2)
}

/// Whether the name of a value (a local, a binding, not a `CONSTANT`) says it is a count, a
/// size or an index, as `is_size_name` does, but for `min` and `max` alone, which name a
/// range's bounds more often than a count (fundsp's `Shape::ClipTo(min, max)`).
pub(super) fn names_a_size_value(name: &str) -> bool {
    is_size_name(&name.to_uppercase()) && name != "min" && name != "max"
}

/// Whether a name in upper case has a word of `COUNT_WORDS` in it (`INPUT_DIM`, `N_STEPS`).
pub(super) fn is_count_name(name: &str) -> bool {
    name.split('_').any(|word| COUNT_WORDS.contains(&word))
}

/// Whether `path` names a `CONSTANT` by the look of its last segment.
pub(super) fn names_constant(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|last| {
        let name = last.ident.to_string();
        name.chars().any(|c| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// Whether `path` names an enum variant or a tuple struct (its last segment in `CamelCase`:
/// `Some`, `Act::Relu`, `Meters`), not a function or a `CONSTANT`.
pub(super) fn is_constructor(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| {
        let name = s.ident.to_string();
        // (`BS_Call(..)`, with an underscore, is a function named so.)
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.contains(|c: char| c.is_ascii_lowercase())
            && !name.contains('_')
    })
}

/// Whether `e` builds a struct (or an enum's variant) by its literal: `Cfg { s: 2.0 }`,
/// `Meters(2.0)`, `Reg::L2(0.5)`, `Reg::Off` (not `Some(..)`, `None`, `Ok(..)`, `Err(..)`,
/// nor a constant: `SCALE`, `f64::EPSILON`).
pub(super) fn builds_struct(e: &Expr) -> bool {
    // Called, any capitalised name is a constructor (`L2(..)`); bare, a unit variant is
    // told from a constant (`SCALE`) by a lowercase letter (`Off`).
    let constructor = |p: &syn::ExprPath, called: bool| {
        p.qself.is_none()
            && p.path.segments.last().is_some_and(|s| {
                let name = s.ident.to_string();
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    && (called || name.contains(|c: char| c.is_ascii_lowercase()))
                    && !["Some", "None", "Ok", "Err"].contains(&name.as_str())
            })
    };
    match e {
        Expr::Struct(_) => true,
        Expr::Paren(p) => builds_struct(&p.expr),
        Expr::Path(p) => constructor(p, false),
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p) if constructor(p, true)),
        _ => false,
    }
}

/// Whether `e` calls a type's own function by the type's name (`Gaussian::new(0.0, 1.0)`,
/// `Gaussian::default()`): by convention, a constructor of a struct (not of one of std's
/// collections, `Vec::new()`, which the lowering tracks as arrays).
pub(super) fn constructs(e: &Expr) -> bool {
    const COLLECTIONS: &[&str] = &[
        "Vec", "VecDeque", "HashMap", "HashSet", "BTreeMap", "BTreeSet", "String", "Box",
    ];
    let Expr::Call(c) = e else { return false };
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segments: Vec<_> = p.path.segments.iter().collect();
    matches!(&*segments, [.., ty, f]
        if is_constructor(&ty.ident.clone().into())
            && !COLLECTIONS.contains(&&*ty.ident.to_string())
            && (f.ident == "new" || f.ident == "default"))
}

#[cfg(test)]
mod tests {
    use super::is_size_name;

    #[test]
    fn sizes_by_name() {
        for size in [
            "N",
            "K",
            "MAX",
            "N_STEPS",
            "INPUT_DIM",
            "MAX_DEPTH",
            "N_MAX",
            "MAX_ITER",
            "WIDTH",
            "NUM_CLASSES",
            "TOKEN_ID",
            "D",
        ] {
            assert!(is_size_name(size), "{size}");
        }
        for float in [
            "F_MAX",
            "V_MAX",
            "K_M",
            "K_TENDON",
            "DEFAULT_FORCE_LENGTH_WIDTH",
            "FORCE_LENGTH_WIDTH",
            "SCALE",
            "EPS",
            "C",
            "ALPHA",
        ] {
            assert!(!is_size_name(float), "{float}");
        }
    }
}
