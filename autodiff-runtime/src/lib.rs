//! The runtime of [autodiff](https://docs.rs/autodiff): the shadow traits that generated
//! `NAME_adjoint` functions take, differentiable primitives and losses with hand-written
//! adjoints, optimizers, a training loop, gradient checks and data handling.
//!
//! Users depend on the `autodiff` facade crate, which re-exports everything here.

// Generated code names the runtime `::autodiff::...`; this alias makes those paths resolve
// when `#[grad]` is used inside this crate, too.
extern crate self as autodiff;

/// Calls the macro `$m` with the tuples of numbers of one type the runtime takes (a tuple
/// parameter, a tuple a call returns), up to twelve: `len => (index, ..)` each.
macro_rules! for_tuples {
    ($m:ident) => {
        $m! {
            1 => (0),
            2 => (0, 1),
            3 => (0, 1, 2),
            4 => (0, 1, 2, 3),
            5 => (0, 1, 2, 3, 4),
            6 => (0, 1, 2, 3, 4, 5),
            7 => (0, 1, 2, 3, 4, 5, 6),
            8 => (0, 1, 2, 3, 4, 5, 6, 7),
            9 => (0, 1, 2, 3, 4, 5, 6, 7, 8),
            10 => (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
            11 => (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
            12 => (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
        }
    };
}
pub(crate) use for_tuples;

pub mod activation;
#[cfg(feature = "safetensors")]
pub mod checkpoint;
pub mod data;
pub mod dual;
pub mod error;
pub mod gradcheck;
pub mod init;
pub mod loss;
pub mod metrics;
pub mod optim;
#[cfg(feature = "plot")]
pub mod plot;
pub mod shadow;
pub mod tangent;
pub mod train;

#[doc(hidden)]
pub mod __private {
    pub use crate::private::*;
    pub use crate::shadow::{MatrixShadow, Shadow, SliceShadow};
    pub use crate::tangent::{
        MatrixTangent, ParamsTangent, SliceTangent, Tangent, Unit, UnitMatrix,
    };
}
mod private;
mod rng;

/// `#[derive(Params)]`, beside the trait of the same name (as serde's derives).
pub use autodiff_macros::Params;
pub use dual::Dual;
pub use error::{Error, Result};
pub use num_traits::Float;
pub use optim::Params;
pub use shadow::{Const, MatrixShadow, ParamsShadow, Shadow, SliceShadow};
pub use tangent::{MatrixTangent, ParamsTangent, SliceTangent, Tangent};
