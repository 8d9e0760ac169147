//! References to convertible values convert as the values do: `Vec<&str>`, `(&name, 1)`,
//! `set_item("k", &obj)`.
//!
//! One impl per type rather than one for every `&T`: that one would rule out the impl that
//! makes every cloneable host class convertible (host/class.rs), since a crate may implement
//! `HostClass` for a reference to a type of its own. A reference to a type of the host's
//! converts once the host implements `ToPython` for the reference too (or passes the value).

use super::{ToPython, Vm};
use crate::embed::api::error::Error;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use indexmap::IndexMap;
use rustpython_vm::PyObjectRef;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

macro_rules! by_reference {
    ($([$($generics:tt)*] $t:ty),* $(,)?) => {$(
        impl<'r, $($generics)*> ToPython for &'r $t {
            fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
                (**self).to_python(rt)
            }
            fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
                (**self).to_py(cx)
            }
        }
    )*};
}

by_reference!(
    [] bool, [] i8, [] i16, [] i32, [] i64, [] i128, [] isize,
    [] u8, [] u16, [] u32, [] u64, [] u128, [] usize, [] f32, [] f64,
    [] str, [] String, [] (), [] num_bigint::BigInt, [] Object,
    [T: ToPython] [T], [T: ToPython] Vec<T>, [T: ToPython] Option<T>,
    [T: ToPython, const N: usize] [T; N],
    [K: ToPython, V: ToPython, S] HashMap<K, V, S>, [K: ToPython, V: ToPython, S] IndexMap<K, V, S>,
    [K: ToPython, V: ToPython] BTreeMap<K, V>,
    [T: ToPython, S] HashSet<T, S>, [T: ToPython] BTreeSet<T>,
    [A: ToPython] (A,), [A: ToPython, B: ToPython] (A, B),
    [A: ToPython, B: ToPython, C: ToPython] (A, B, C),
    [A: ToPython, B: ToPython, C: ToPython, D: ToPython] (A, B, C, D),
);
