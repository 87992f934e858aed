#![deny(warnings)]

use autodiff::optim::Params;
use autodiff::Float;

// Every kind of field and struct the derive accepts; the generated code is warning-free.
#[derive(Clone, Debug, autodiff::Params)]
pub struct Dense<T, const IN: usize, const OUT: usize>
where
    T: Copy,
{
    w: [[T; IN]; OUT],
    b: [T; OUT],
}

#[derive(Clone, autodiff::Params)]
pub struct Net<T: Float> {
    embedding: Vec<[T; 4]>,
    blocks: [Dense<T, 4, 4>; 2],
    extra: Vec<Dense<T, 4, 4>>,
    cube: [[[[T; 2]; 2]; 2]; 2],
    ragged: Vec<Vec<T>>,
    gain: T,
    #[params(skip)]
    steps: usize,
}

/// Only nested models: the float is theirs.
#[derive(Clone, autodiff::Params)]
pub struct Pair(Dense<f32, 1, 1>, #[params(skip)] String, Dense<f32, 2, 1>);

/// A type parameter bounded by `Params` is a nested model.
#[derive(Clone, autodiff::Params)]
pub struct Wrapper<M: Params> {
    inner: M,
    #[params(skip)]
    label: &'static str,
}

// Names that the generated code also uses.
#[derive(Clone, autodiff::Params)]
pub struct Shadowing {
    at: [f64; 1],
    visit: f64,
    other: Vec<f64>,
    name: f64,
    index: f64,
}

/// The derive and the trait share the name `autodiff::Params`.
fn count<P: autodiff::Params>(model: &P) -> usize {
    model.num_scalars()
}

fn dense<T: Copy, const IN: usize, const OUT: usize>(value: T) -> Dense<T, IN, OUT> {
    Dense { w: [[value; IN]; OUT], b: [value; OUT] }
}

fn main() {
    let block = dense(0.5);
    let net = Net {
        embedding: vec![[1.0; 4]; 3],
        blocks: [block.clone(), block.clone()],
        extra: vec![block],
        cube: [[[[1.0; 2]; 2]; 2]; 2],
        ragged: vec![vec![1.0], vec![]],
        gain: 2.0,
        steps: 3,
    };
    assert_eq!(net.num_scalars(), 12 + 3 * 20 + 16 + 1 + 1);
    let wrapped = Wrapper { inner: net.zeros_like(), label: "zeros" };
    assert_eq!((wrapped.squared_norm(), wrapped.inner.steps, wrapped.label), (0.0, 3, "zeros"));
    let pair = Pair(dense(1.0), "pair".into(), dense(2.0));
    assert_eq!(count(&pair), 5);
    let shadowing = Shadowing { at: [1.0], visit: 1.0, other: vec![1.0], name: 1.0, index: 1.0 };
    assert_eq!(shadowing.squared_norm(), 5.0);
}
