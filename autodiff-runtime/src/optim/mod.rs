//! Optimizers, learning-rate schedules and the parameter abstraction they work on.
//!
//! A model is a struct of named float arrays. It implements [`Params`] (by hand in a few lines,
//! or with the [`params!`](crate::params) macro) so that optimizers and the trainer can walk
//! every parameter slice, in a fixed order, together with the gradient struct of the same type.

mod params;

pub use params::{flatten, flatten_mut, AsParamSlice, Params};

#[doc(hidden)]
pub use params::__index_out_of_range;
