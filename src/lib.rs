//! # autodiff
//!
//! Compile-time reverse-mode automatic differentiation for Rust. Put `#[grad]` on an ordinary
//! function over floats, arrays and slices; at compile time it writes the function's gradient
//! as plain Rust beside it: no tape object, no graph, no allocation for straight-line code.
//!
//! ```
//! use autodiff::grad;
//!
//! #[grad]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     (x + y) * z
//! }
//!
//! let (value, (d_x, d_y, d_z)) = f_grad(-2.0, 5.0, -4.0);
//! assert_eq!(value, -12.0);
//! assert_eq!((d_x, d_y, d_z), (-4.0, -4.0, 3.0));
//! ```
//!
//! See the README for the supported subset of Rust, and [`grad`] for what it generates.

pub use autodiff_macros::grad;
pub use autodiff_runtime::*;
