#![doc = include_str!("../README.md")]

pub use autodiff_macros::grad;
pub use autodiff_runtime::*;
