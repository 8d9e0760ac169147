//! Call arguments: Rust tuples of convertible values.

use super::error::Error;
use crate::embed::convert::{ToPython, Vm};
use rustpython_vm::function::FuncArgs;

/// Positional arguments for a call: `()`, or a tuple of up to 8 [`ToPython`] values
/// (`(1,)`, `("a", 2.5, vec![1, 2])`).
pub trait ToArgs {
    /// The VM's argument list.
    #[doc(hidden)]
    fn to_args(self, cx: &Vm<'_>) -> Result<FuncArgs, Error>;
}

impl ToArgs for () {
    fn to_args(self, _cx: &Vm<'_>) -> Result<FuncArgs, Error> {
        Ok(FuncArgs::default())
    }
}

macro_rules! tuple_args {
    ($($name:ident $index:tt),+) => {
        impl<$($name: ToPython),+> ToArgs for ($($name,)+) {
            fn to_args(self, cx: &Vm<'_>) -> Result<FuncArgs, Error> {
                Ok(FuncArgs::from(vec![$(self.$index.to_py(cx)?),+]))
            }
        }
    };
}

tuple_args!(A 0);
tuple_args!(A 0, B 1);
tuple_args!(A 0, B 1, C 2);
tuple_args!(A 0, B 1, C 2, D 3);
tuple_args!(A 0, B 1, C 2, D 3, E 4);
tuple_args!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_args!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_args!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
