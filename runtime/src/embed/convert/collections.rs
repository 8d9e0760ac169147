//! Containers: `Option`, sequences, tuples, maps and sets.

use super::scalars::{from_python_via_vm, to_python_via_vm};
use super::{FromPython, Parameter, ToPython, Vm, mismatch};
use crate::embed::api::error::Error;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use crate::embed::host::params::{Call, convert_argument};
use indexmap::IndexMap;
use rustpython_vm::builtins::{
    PyByteArray, PyBytes, PyDict, PyFrozenSet, PyList, PySet, PyStr, PyTuple,
};
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

impl<T: ToPython> ToPython for Option<T> {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        match self {
            Some(value) => value.to_py(cx),
            None => Ok(cx.vm.ctx.none()),
        }
    }
}

impl<T: FromPython> FromPython for Option<T> {
    const PARAMETER: Parameter = Parameter::Optional;
    from_python_via_vm!();

    /// As a parameter: `None` where the call stops before it.
    fn from_arguments(call: &mut Call<'_>) -> Result<Self, Error> {
        match call.next_positional() {
            Some((index, arg)) => convert_argument(call, index, arg),
            None => Ok(None),
        }
    }
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        if cx.vm.is_none(obj) {
            Ok(None)
        } else {
            T::from_py(obj, cx).map(Some)
        }
    }
}

/// A list of `items`.
pub(super) fn list_to_py<T: ToPython>(items: &[T], cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
    let elements = items
        .iter()
        .map(|item| item.to_py(cx))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(cx.vm.ctx.new_list(elements).into())
}

impl<T: ToPython> ToPython for [T] {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        T::slice_to_py(self, cx)
    }
}

impl<T: ToPython> ToPython for Vec<T> {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        T::slice_to_py(self, cx)
    }
}

impl<T: ToPython, const N: usize> ToPython for [T; N] {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        T::slice_to_py(self, cx)
    }
}

impl<T: FromPython> FromPython for Vec<T> {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        T::vec_from_py(obj, cx)
    }
}

/// Whether `obj` is text or binary data, which iterate but are not taken as sequences of
/// their items (a `str` read as a `Vec<String>` is almost always a mistake).
fn is_text_or_bytes(obj: &PyObject) -> bool {
    obj.downcast_ref::<PyStr>().is_some()
        || obj.downcast_ref::<PyBytes>().is_some()
        || obj.downcast_ref::<PyByteArray>().is_some()
}

/// Calls `each` with every item of an iterable: lists and tuples directly (a snapshot, so
/// that a conversion running Python code cannot disturb the walk), anything else through
/// the iterator protocol.
fn for_each_item(
    obj: &PyObject,
    cx: &Vm<'_>,
    expected: &str,
    mut each: impl FnMut(&PyObject) -> Result<(), Error>,
) -> Result<(), Error> {
    if is_text_or_bytes(obj) {
        return Err(mismatch(obj, expected));
    }
    if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
        return tuple.as_slice().iter().try_for_each(|item| each(item));
    }
    if let Some(list) = obj.downcast_ref::<PyList>() {
        let items = list.borrow_vec().to_vec();
        return items.iter().try_for_each(|item| each(item));
    }
    let vm = cx.vm;
    let iter = obj.get_iter(vm).map_err(|_| mismatch(obj, expected))?;
    loop {
        match iter.next(vm).map_err(|e| cx.error(e))? {
            PyIterReturn::Return(item) => each(&item)?,
            PyIterReturn::StopIteration(_) => return Ok(()),
        }
    }
}

/// The items of an iterable, converted, in any collection.
fn collect_items<T: FromPython, C: Default + Extend<T>>(
    obj: &PyObject,
    cx: &Vm<'_>,
    expected: &str,
) -> Result<C, Error> {
    let mut items = C::default();
    for_each_item(obj, cx, expected, |item| {
        items.extend([T::from_py(item, cx)?]);
        Ok(())
    })?;
    Ok(items)
}

/// The items of an iterable, converted.
pub(super) fn vec_from_iterable<T: FromPython>(
    obj: &PyObject,
    cx: &Vm<'_>,
) -> Result<Vec<T>, Error> {
    collect_items(obj, cx, "Vec")
}

macro_rules! tuple_conversions {
    ($len:literal: $($name:ident $index:tt),+) => {
        impl<$($name: ToPython),+> ToPython for ($($name,)+) {
            to_python_via_vm!();
            fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
                let items = vec![$(self.$index.to_py(cx)?),+];
                Ok(cx.vm.ctx.new_tuple(items).into())
            }
        }

        impl<$($name: FromPython),+> FromPython for ($($name,)+) {
            from_python_via_vm!();
            fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
                let expected = concat!("a tuple of ", $len);
                let tuple = obj.downcast_ref::<PyTuple>().ok_or_else(|| mismatch(obj, expected))?;
                let items = tuple.as_slice();
                if items.len() != $len {
                    return Err(Error::Conversion {
                        expected: expected.to_string(),
                        found: "tuple".to_string(),
                        detail: Some(format!("it has {} items", items.len())),
                    });
                }
                Ok(($($name::from_py(&items[$index], cx)?,)+))
            }
        }
    };
}

tuple_conversions!(1: A 0);
tuple_conversions!(2: A 0, B 1);
tuple_conversions!(3: A 0, B 1, C 2);
tuple_conversions!(4: A 0, B 1, C 2, D 3);
tuple_conversions!(5: A 0, B 1, C 2, D 3, E 4);
tuple_conversions!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_conversions!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_conversions!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A dict of `pairs`.
fn dict_to_py<'p, K, V>(
    pairs: impl Iterator<Item = (&'p K, &'p V)>,
    cx: &Vm<'_>,
) -> Result<PyObjectRef, Error>
where
    K: ToPython + 'p,
    V: ToPython + 'p,
{
    let dict = cx.vm.ctx.new_dict();
    for (key, value) in pairs {
        let key = key.to_py(cx)?;
        dict.set_item(&*key, value.to_py(cx)?, cx.vm)
            .map_err(|e| cx.error(e))?;
    }
    Ok(dict.into())
}

/// Calls `each` with every key/value pair of a dict, or of any mapping through its
/// `items()`.
fn for_each_pair(
    obj: &PyObject,
    cx: &Vm<'_>,
    mut each: impl FnMut(&PyObject, &PyObject) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Some(dict) = obj.downcast_ref::<PyDict>() {
        return dict
            .items_vec()
            .iter()
            .try_for_each(|(key, value)| each(key, value));
    }
    let items = cx
        .vm
        .call_method(obj, "items", ())
        .map_err(|_| mismatch(obj, "a mapping"))?;
    for_each_item(&items, cx, "a mapping", |pair| {
        let (key, value) = <(Object, Object)>::from_py(pair, cx)?;
        each(cx.unwrap(&key)?.as_object(), cx.unwrap(&value)?.as_object())
    })
}

/// The pairs of a mapping, converted, in any map.
fn collect_pairs<K: FromPython, V: FromPython, C: Default + Extend<(K, V)>>(
    obj: &PyObject,
    cx: &Vm<'_>,
) -> Result<C, Error> {
    let mut map = C::default();
    for_each_pair(obj, cx, |key, value| {
        map.extend([(K::from_py(key, cx)?, V::from_py(value, cx)?)]);
        Ok(())
    })?;
    Ok(map)
}

/// The members of a set or frozenset (a snapshot: converting one may run Python code that
/// changes the set), or of any other iterable but text, converted.
fn collect_members<T: FromPython, C: Default + Extend<T>>(
    obj: &PyObject,
    cx: &Vm<'_>,
) -> Result<C, Error> {
    let is_set =
        obj.downcast_ref::<PySet>().is_some() || obj.downcast_ref::<PyFrozenSet>().is_some();
    if !is_set {
        return collect_items(obj, cx, "a set");
    }
    let members = cx
        .vm
        .extract_elements_with(obj, Ok)
        .map_err(|e| cx.error(e))?;
    let snapshot = cx.vm.ctx.new_list(members);
    collect_items(snapshot.as_object(), cx, "a set")
}

macro_rules! map_conversions {
    ($map:ident, $($bound:tt)+) => {
        impl<K: ToPython, V: ToPython, S> ToPython for $map<K, V, S> {
            to_python_via_vm!();
            fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
                dict_to_py(self.iter(), cx)
            }
        }

        impl<K: FromPython + $($bound)+, V: FromPython, S: BuildHasher + Default> FromPython
            for $map<K, V, S>
        {
            from_python_via_vm!();
            fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
                collect_pairs(obj, cx)
            }
        }
    };
}

map_conversions!(HashMap, Eq + Hash);
map_conversions!(IndexMap, Eq + Hash);

impl<K: ToPython, V: ToPython> ToPython for BTreeMap<K, V> {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        dict_to_py(self.iter(), cx)
    }
}

impl<K: FromPython + Ord, V: FromPython> FromPython for BTreeMap<K, V> {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        collect_pairs(obj, cx)
    }
}

/// A set of `items`.
fn set_to_py<'i, T: ToPython + 'i>(
    items: impl Iterator<Item = &'i T>,
    cx: &Vm<'_>,
) -> Result<PyObjectRef, Error> {
    let set = PySet::default()
        .into_ref_with_type(cx.vm, cx.vm.ctx.types.set_type.to_owned())
        .map_err(|e| cx.error(e))?;
    for item in items {
        set.add(item.to_py(cx)?, cx.vm).map_err(|e| cx.error(e))?;
    }
    Ok(set.into())
}

impl<T: ToPython, S> ToPython for HashSet<T, S> {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        set_to_py(self.iter(), cx)
    }
}

impl<T: FromPython + Eq + Hash, S: BuildHasher + Default> FromPython for HashSet<T, S> {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        collect_members(obj, cx)
    }
}

impl<T: ToPython> ToPython for BTreeSet<T> {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        set_to_py(self.iter(), cx)
    }
}

impl<T: FromPython + Ord> FromPython for BTreeSet<T> {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        collect_members(obj, cx)
    }
}
