//! Saving and loading a model's parameters in the [safetensors] format (feature
//! `safetensors`), which Python reads as it is:
//! `safetensors.numpy.load_file("model.safetensors")["w1"]`.
//!
//! Every parameter slice of the [`Params`] walk is one tensor, named by its path in the model
//! (`w1`, `layer1.w`, `layers[2].b`), with the slice's shape (`[16, 30]` for a
//! `[[f64; 30]; 16]` field, `[]` for a scalar) and dtype `F32` or `F64` as the model's float
//! type. Loading fills an existing model of the same type: every name must be in the file,
//! with the model's dtype and number of elements (any shape with that many elements, e.g. a
//! flat `(480,)` for a `[[f64; 30]; 16]` field), and the file must hold nothing else.
//!
//! [safetensors]: https://huggingface.co/docs/safetensors
//!
//! ```
//! # extern crate autodiff_runtime as autodiff;
//! use autodiff::checkpoint;
//!
//! #[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
//! struct Dense {
//!     w: [[f64; 3]; 2],
//!     b: [f64; 2],
//! }
//!
//! #[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
//! struct Net {
//!     layer1: Dense,
//!     out: f64,
//! }
//!
//! let layer1 = Dense { w: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], b: [-1.0, 0.5] };
//! let net = Net { layer1, out: 2.0 };
//! let bytes = checkpoint::to_bytes(&net)?;
//! let mut loaded = Net::default();
//! checkpoint::from_bytes(&mut loaded, &bytes)?;
//! assert_eq!(loaded, net);
//! # Ok::<(), autodiff::Error>(())
//! ```

use std::path::Path;

use num_traits::{Float, NumCast, ToPrimitive};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::optim::Params;
use crate::{Error, Result};

/// The dtype of the model's float type: `F32` for 4-byte floats, `F64` for 8-byte ones.
fn dtype<T: Float>() -> Result<Dtype> {
    match std::mem::size_of::<T>() {
        4 => Ok(Dtype::F32),
        8 => Ok(Dtype::F64),
        n => Err(Error::Checkpoint(format!(
            "only f32 and f64 parameters can be saved, not a {n}-byte float type"
        ))),
    }
}

/// The model's parameters as the bytes of a safetensors file.
///
/// # Errors
///
/// [`Error::Checkpoint`] if the float type is neither `f32` nor `f64`, or two slices have
/// the same name.
pub fn to_bytes<P: Params>(model: &P) -> Result<Vec<u8>> {
    let dtype = dtype::<P::Scalar>()?;
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    model.for_each_slice(|slice| {
        let mut bytes = Vec::with_capacity(std::mem::size_of_val(slice.values));
        for &v in slice.values {
            match dtype {
                Dtype::F32 => bytes.extend(v.to_f32().unwrap_or(f32::NAN).to_le_bytes()),
                _ => bytes.extend(v.to_f64().unwrap_or(f64::NAN).to_le_bytes()),
            }
        }
        tensors.push((slice.name.to_string(), slice.shape.to_vec(), bytes));
    });
    let mut views = Vec::with_capacity(tensors.len());
    for (name, shape, bytes) in &tensors {
        if views.iter().any(|(n, _)| *n == name) {
            return Err(Error::Checkpoint(format!(
                "two parameter slices are named `{name}`"
            )));
        }
        let view = TensorView::new(dtype, shape.clone(), bytes).map_err(format_error)?;
        views.push((name, view));
    }
    safetensors::serialize(views, None).map_err(format_error)
}

/// Fills `model` from the bytes of a safetensors file (see the [module docs](self) for what
/// must match).
///
/// # Errors
///
/// [`Error::Checkpoint`] naming the tensor, for: bytes that are not a safetensors file; a
/// parameter missing from the file; a tensor of another dtype or number of elements; a
/// tensor the model does not have. The model is unchanged on error.
pub fn from_bytes<P: Params>(model: &mut P, bytes: &[u8]) -> Result<()> {
    let dtype = dtype::<P::Scalar>()?;
    let file = SafeTensors::deserialize(bytes).map_err(format_error)?;
    // check everything before writing anything
    let mut names = Vec::new();
    let mut tensors = Vec::new();
    let mut problem = None;
    model.for_each_slice(|slice| {
        let name = slice.name.to_string();
        match tensor(&file, &name, dtype, slice.values.len()) {
            Ok(tensor) => tensors.push(tensor),
            Err(e) => {
                problem.get_or_insert(e);
            }
        }
        names.push(name);
    });
    if let Some(problem) = problem {
        return Err(problem);
    }
    if let Some(extra) = file
        .names()
        .into_iter()
        .find(|extra| !names.iter().any(|n| n == extra))
    {
        return Err(Error::Checkpoint(format!(
            "the file has a tensor `{extra}` that the model does not (the model has: {})",
            names.join(", ")
        )));
    }
    // the same walk again: the tensors come in the order of the slices
    let mut tensors = tensors.iter();
    model.for_each_slice_mut(|slice| {
        let Some(tensor) = tensors.next() else {
            return;
        };
        match dtype {
            Dtype::F32 => fill(slice.values, tensor.data().chunks_exact(4), |b| {
                f32::from_le_bytes([b[0], b[1], b[2], b[3]])
            }),
            _ => fill(slice.values, tensor.data().chunks_exact(8), |b| {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            }),
        }
    });
    Ok(())
}

/// The file's tensor `name`, if it has `dtype` and `len` elements.
fn tensor<'f>(
    file: &SafeTensors<'f>,
    name: &str,
    dtype: Dtype,
    len: usize,
) -> Result<TensorView<'f>> {
    let tensor = file
        .tensor(name)
        .map_err(|_| Error::Checkpoint(format!("the file has no tensor `{name}`")))?;
    let count: usize = tensor.shape().iter().product();
    if tensor.dtype() != dtype || count != len {
        return Err(Error::Checkpoint(format!(
            "tensor `{name}` is {:?} of shape {:?}, but the model's is {dtype:?} of {len} \
             element{}",
            tensor.dtype(),
            tensor.shape(),
            if len == 1 { "" } else { "s" }
        )));
    }
    Ok(tensor)
}

fn fill<'b, T: Float, F: ToPrimitive>(
    values: &mut [T],
    chunks: impl Iterator<Item = &'b [u8]>,
    read: impl Fn(&[u8]) -> F,
) {
    for (v, chunk) in values.iter_mut().zip(chunks) {
        *v = <T as NumCast>::from(read(chunk)).unwrap_or_else(T::nan);
    }
}

fn format_error(e: safetensors::SafeTensorError) -> Error {
    Error::Checkpoint(format!("not a valid safetensors file: {e}"))
}

/// Writes the model's parameters to a safetensors file at `path`.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be written, else as [`to_bytes`].
pub fn save<P: Params>(model: &P, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, to_bytes(model)?).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Fills `model` from the safetensors file at `path`.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; else as [`from_bytes`], with the path in the
/// message.
pub fn load<P: Params>(model: &mut P, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_bytes(model, &bytes).map_err(|e| match e {
        Error::Checkpoint(reason) => Error::Checkpoint(format!("{}: {reason}", path.display())),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::Init;

    #[derive(Clone, Debug, Default, PartialEq, crate::Params)]
    struct Layer<T> {
        w: [[T; 3]; 2],
        b: [T; 2],
    }

    #[derive(Clone, Debug, Default, PartialEq, crate::Params)]
    struct Nested {
        layer1: Layer<f64>,
        out: f64,
    }

    fn random() -> Nested {
        let mut model = Nested::default();
        Init::new(3)
            .uniform(&mut model.layer1.w, 1.0)
            .uniform(&mut model.layer1.b, 1.0);
        model.out = -0.25;
        model
    }

    #[test]
    fn round_trips_bit_for_bit_in_f64_and_f32() {
        let model = random();
        let mut loaded = Nested::default();
        from_bytes(&mut loaded, &to_bytes(&model).unwrap()).unwrap();
        assert_eq!(loaded, model);

        #[derive(Clone, Debug, PartialEq, crate::Params)]
        struct Small {
            v: Vec<f32>,
            layers: Vec<Layer<f32>>,
        }
        let small = Small {
            v: vec![1.5, -2.25, f32::MIN_POSITIVE],
            layers: vec![
                Layer::default(),
                Layer {
                    w: [[0.5; 3]; 2],
                    b: [-1.0; 2],
                },
            ],
        };
        let bytes = to_bytes(&small).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let w = file.tensor("layers[1].w").unwrap();
        assert_eq!((w.dtype(), w.shape()), (Dtype::F32, &[2, 3][..]));
        let mut loaded = small.zeros_like();
        from_bytes(&mut loaded, &bytes).unwrap();
        assert_eq!(loaded, small);
    }

    #[test]
    fn the_file_names_the_tensors_by_the_params_walk() {
        let model = random();
        let bytes = to_bytes(&model).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let mut names = file.names();
        names.sort_unstable();
        assert_eq!(names, ["layer1.b", "layer1.w", "out"]);
        let w = file.tensor("layer1.w").unwrap();
        assert_eq!((w.dtype(), w.shape()), (Dtype::F64, &[2, 3][..]));
        let second_row = f64::from_le_bytes(w.data()[24..32].try_into().unwrap());
        assert_eq!(second_row, model.layer1.w[1][0]);
        let out = file.tensor("out").unwrap();
        assert_eq!(out.shape(), &[] as &[usize]);
    }

    /// A file with the given tensors, F64 or F32.
    fn file_with(dtype: Dtype, tensors: &[(&str, Vec<usize>, Vec<f64>)]) -> Vec<u8> {
        let encode = |x: &f64| match dtype {
            Dtype::F32 => (*x as f32).to_le_bytes().to_vec(),
            _ => x.to_le_bytes().to_vec(),
        };
        let bytes: Vec<Vec<u8>> = tensors
            .iter()
            .map(|(_, _, v)| v.iter().flat_map(encode).collect())
            .collect();
        let views: Vec<(&str, TensorView<'_>)> = tensors
            .iter()
            .zip(&bytes)
            .map(|((n, s, _), b)| (*n, TensorView::new(dtype, s.clone(), b).unwrap()))
            .collect();
        safetensors::serialize(views, None).unwrap()
    }

    fn load_err(bytes: &[u8]) -> String {
        let mut model = random();
        let before = model.clone();
        let err = from_bytes(&mut model, bytes).unwrap_err();
        assert_eq!(model, before, "the model changed on error");
        match err {
            Error::Checkpoint(msg) => msg,
            other => panic!("expected a checkpoint error, got {other:?}"),
        }
    }

    #[test]
    fn any_shape_with_the_right_count_loads() {
        let w: Vec<f64> = (0..6u8).map(|i| i.into()).collect();
        let bytes = file_with(
            Dtype::F64,
            &[
                ("layer1.w", vec![6], w.clone()),
                ("layer1.b", vec![2], vec![7.0, 8.0]),
                ("out", vec![], vec![9.0]),
            ],
        );
        let mut model = Nested::default();
        from_bytes(&mut model, &bytes).unwrap();
        assert_eq!(model.layer1.w.as_flattened(), &w[..]);
        assert_eq!((model.layer1.b, model.out), ([7.0, 8.0], 9.0));
    }

    #[test]
    fn wrong_names_shapes_dtypes_and_bytes_are_clear_errors() {
        let ok_b = ("layer1.b", vec![2], vec![0.0; 2]);
        let ok_out = ("out", vec![1], vec![0.0]);
        let msg = load_err(&file_with(Dtype::F64, &[ok_b.clone(), ok_out.clone()]));
        assert_eq!(msg, "the file has no tensor `layer1.w`");
        let msg = load_err(&file_with(
            Dtype::F64,
            &[
                ("layer1.w", vec![5], vec![0.0; 5]),
                ok_b.clone(),
                ok_out.clone(),
            ],
        ));
        assert!(
            msg.starts_with("tensor `layer1.w` is F64 of shape [5]"),
            "{msg}"
        );
        assert!(msg.ends_with("of 6 elements"), "{msg}");
        let msg = load_err(&file_with(
            Dtype::F64,
            &[
                ("layer1.w", vec![6], vec![0.0; 6]),
                ok_b,
                ok_out,
                ("layer2.w", vec![1], vec![0.0]),
            ],
        ));
        assert!(msg.starts_with("the file has a tensor `layer2.w`"), "{msg}");
        // an f32 file into an f64 model
        let msg = load_err(&file_with(
            Dtype::F32,
            &[
                ("layer1.w", vec![6], vec![0.0; 6]),
                ("layer1.b", vec![2], vec![0.0; 2]),
                ("out", vec![1], vec![0.0]),
            ],
        ));
        assert!(msg.starts_with("tensor `layer1.w` is F32"), "{msg}");
        let mut bytes = to_bytes(&random()).unwrap();
        bytes.truncate(5);
        assert!(load_err(&bytes).starts_with("not a valid safetensors file"));
    }

    #[test]
    fn save_and_load_files() {
        let dir = std::env::temp_dir().join(format!("autodiff-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.safetensors");
        let model = random();
        save(&model, &path).unwrap();
        let mut loaded = Nested::default();
        load(&mut loaded, &path).unwrap();
        assert_eq!(loaded, model);
        let missing = dir.join("missing.safetensors");
        assert!(matches!(load(&mut loaded, &missing), Err(Error::Io { .. })));
        std::fs::write(&path, b"junk").unwrap();
        let err = load(&mut loaded, &path).unwrap_err().to_string();
        assert!(
            err.contains("model.safetensors: not a valid safetensors file"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
