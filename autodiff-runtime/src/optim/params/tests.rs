//! The walks `#[derive(Params)]` writes: order, names, shapes and values of every field kind.

use super::*;
use crate::Float;

#[derive(Clone, Debug, Default, PartialEq, crate::Params)]
struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

/// Every kind of field, in an order that interleaves them.
#[derive(Clone, Debug, Default, PartialEq, crate::Params)]
struct Net {
    embed: Vec<[f64; 2]>,
    #[params(skip)]
    name: String,
    hidden: [Dense; 2],
    gain: f64,
    #[params(skip)]
    steps: usize,
    extra: Vec<Dense>,
    head: Dense,
    cube: [[[f64; 2]; 1]; 3],
    rows: Vec<Vec<f64>>,
}

/// A net whose every parameter is its position in the walk.
fn numbered() -> Net {
    let mut net = Net {
        embed: vec![[0.0; 2]; 2],
        name: "numbered".into(),
        steps: 9,
        extra: vec![Dense::default()],
        rows: vec![vec![0.0; 1], vec![0.0; 3]],
        ..Net::default()
    };
    let mut next = 0.0;
    net.for_each_slice_mut(|s| {
        for v in s.values {
            *v = next;
            next += 1.0;
        }
    });
    net
}

fn walk<P: Params>(model: &P) -> Vec<(String, Vec<usize>, Vec<P::Scalar>)> {
    let mut seen = Vec::new();
    model.for_each_slice(|s| seen.push((s.name.to_string(), s.shape.to_vec(), s.values.to_vec())));
    seen
}

#[test]
fn the_walk_visits_fields_in_order_depth_first_with_paths_and_shapes() {
    let layout: Vec<(String, Vec<usize>)> = walk(&numbered())
        .into_iter()
        .map(|(name, shape, _)| (name, shape))
        .collect();
    let expected: &[(&str, &[usize])] = &[
        ("embed", &[2, 2]),
        ("hidden[0].w", &[2, 3]),
        ("hidden[0].b", &[2]),
        ("hidden[1].w", &[2, 3]),
        ("hidden[1].b", &[2]),
        ("gain", &[]),
        ("extra[0].w", &[2, 3]),
        ("extra[0].b", &[2]),
        ("head.w", &[2, 3]),
        ("head.b", &[2]),
        ("cube", &[3, 1, 2]),
        ("rows[0]", &[1]),
        ("rows[1]", &[3]),
    ];
    let expected: Vec<(String, Vec<usize>)> = expected
        .iter()
        .map(|(name, shape)| (name.to_string(), shape.to_vec()))
        .collect();
    assert_eq!(layout, expected);
}

#[test]
fn values_are_row_major_and_fields_keep_their_own() {
    let net = numbered();
    assert_eq!(net.embed, [[0.0, 1.0], [2.0, 3.0]]);
    assert_eq!(net.hidden[0].w, [[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]);
    assert_eq!(net.gain, 20.0);
    assert_eq!(net.cube, [[[37.0, 38.0]], [[39.0, 40.0]], [[41.0, 42.0]]]);
    assert_eq!(net.rows, [vec![43.0], vec![44.0, 45.0, 46.0]]);
    assert_eq!(net.num_scalars(), 47);
    assert_eq!((net.name.as_str(), net.steps), ("numbered", 9));
}

#[test]
fn zeros_like_zeroes_parameters_and_keeps_the_rest() {
    let net = numbered();
    let zeros = net.zeros_like();
    assert!(walk(&zeros)
        .iter()
        .all(|(_, _, v)| v.iter().all(|&x| x == 0.0)));
    assert_eq!((zeros.name.as_str(), zeros.steps), ("numbered", 9));
    assert_eq!((zeros.extra.len(), zeros.rows[1].len()), (1, 3));
    let mut copy = zeros;
    copy.copy_from(&net);
    assert_eq!(copy, net);
}

#[test]
fn first_non_finite_names_the_nested_element() {
    let mut net = numbered();
    assert!(net.is_finite() && net.first_non_finite().is_none());
    net.head.b[1] = f64::NAN;
    net.extra[0].w[1][2] = f64::INFINITY;
    assert!(!net.is_finite());
    let at = net.first_non_finite().unwrap();
    assert_eq!(
        (at.name.as_str(), &at.index[..]),
        ("extra[0].w", &[1, 2][..])
    );
    assert_eq!(at.to_string(), "extra[0].w[1][2]");
    net.extra[0].w[1][2] = 0.0;
    assert_eq!(net.first_non_finite().unwrap().to_string(), "head.b[1]");
}

#[test]
fn paired_walks_visit_the_same_slices() {
    let mut net = numbered();
    let other = numbered();
    let mut names = Vec::new();
    net.zip_slices_mut(&other, |mine, theirs| {
        assert_eq!(mine.values, theirs);
        names.push(mine.name.to_string());
        mine.values.iter_mut().for_each(|v| *v = -*v);
    });
    assert_eq!(names.len(), 13);
    assert_eq!(net.squared_norm(), other.squared_norm());
    assert_eq!(net.head.w[0][0], -other.head.w[0][0]);
}

#[test]
#[should_panic(expected = "`extra` has 1 elements in one value and 2 in the other")]
fn paired_walks_reject_sequences_of_other_lengths() {
    let mut net = numbered();
    let mut other = numbered();
    other.extra.push(Dense::default());
    net.copy_from(&other);
}

#[test]
#[should_panic(expected = "`rows[1]` has 3 elements in one value and 2 in the other")]
fn paired_walks_reject_slices_of_other_lengths() {
    let mut net = numbered();
    let mut other = numbered();
    other.rows[1].pop();
    net.copy_from(&other);
}

/// Generic over the float, with a const generic and a where clause.
#[derive(Clone, Debug, PartialEq, crate::Params)]
struct Layer<T, const N: usize>
where
    T: Copy,
{
    w: [T; N],
    scale: T,
}

#[derive(Clone, Debug, PartialEq, crate::Params)]
struct Stack<T: Float> {
    layers: Vec<Layer<T, 2>>,
    out: Layer<T, 1>,
}

/// Only nested models: the scalar is the first one's.
#[derive(Clone, Debug, PartialEq, crate::Params)]
struct Pair(Layer<f32, 2>, #[params(skip)] u8, Layer<f32, 3>);

fn stack<T: Float>() -> Stack<T> {
    let one = T::one();
    Stack {
        layers: vec![
            Layer {
                w: [one; 2],
                scale: one
            };
            2
        ],
        out: Layer {
            w: [one],
            scale: one,
        },
    }
}

#[test]
fn generic_models_walk_in_f32_and_f64() {
    fn names<T: Float>() -> Vec<String> {
        walk(&stack::<T>())
            .into_iter()
            .map(|(name, _, _)| name)
            .collect()
    }
    let expected = [
        "layers[0].w",
        "layers[0].scale",
        "layers[1].w",
        "layers[1].scale",
        "out.w",
        "out.scale",
    ];
    assert_eq!(names::<f32>(), expected);
    assert_eq!(names::<f64>(), expected);
    assert_eq!(stack::<f32>().squared_norm(), 8.0f32);
    assert_eq!(stack::<f64>().num_scalars(), 8);
}

#[test]
fn tuple_structs_name_fields_by_position() {
    let pair = Pair(
        Layer {
            w: [1.0, 2.0],
            scale: 3.0,
        },
        7,
        Layer {
            w: [4.0; 3],
            scale: 5.0,
        },
    );
    let seen = walk(&pair);
    let names: Vec<&str> = seen.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(names, ["0.w", "0.scale", "2.w", "2.scale"]);
    assert_eq!(seen[2].2, [4.0f32; 3]);
    assert_eq!(pair.zeros_like().1, 7);
}

#[test]
fn a_vec_or_an_array_is_one_slice_named_params() {
    let mut w = vec![1.0, f64::INFINITY];
    assert_eq!(
        walk(&w),
        [("params".to_string(), vec![2], vec![1.0, f64::INFINITY])]
    );
    assert_eq!(w.first_non_finite().unwrap().to_string(), "params[1]");
    w.zero();
    assert_eq!(w, [0.0, 0.0]);
    let a = [1.0f32, 2.0, 3.0];
    assert_eq!(a.squared_norm(), 14.0);
    assert_eq!(walk(&a)[0].1, [3]);
}
