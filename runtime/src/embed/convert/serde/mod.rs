//! serde to and from live Python objects (feature `serde`): any `Serialize` value becomes
//! the Python value `pickle_core::serde` would write for it, directly, and any
//! `Deserialize` type reads a Python value as `pickle_core::serde` reads a pickle of it.
//! The mapping is pickle-core's (see `pickle_core::serde`): structs are dicts with str keys,
//! enums `'V'` or `{'V': content}`, tuples tuples, sequences lists, maps dicts of any key.

mod de;
mod path;
mod ser;

use crate::embed::api::error::Error;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use path::Path;

/// `value` as a Python object in `vm` (what [`Runtime::serialize`] makes).
pub(crate) fn to_py<T: serde::Serialize + ?Sized>(
    value: &T,
    vm: &rustpython_vm::VirtualMachine,
) -> Result<rustpython_vm::PyObjectRef, Error> {
    let root = Path::Root;
    // As for a load: the objects made are all young and alive, and the collections they
    // would set off find nothing.
    let _paused = crate::pickle::load::collector::pause(vm);
    let names = ser::Names::default();
    value
        .serialize(ser::Serializer::new(vm, &root, &names))
        .map_err(path::Located::into_error)
}

/// `obj` read as a `T` (what [`Object::deserialize`] reads).
pub(crate) fn from_py<T: serde::de::DeserializeOwned>(
    obj: &rustpython_vm::PyObject,
    vm: &rustpython_vm::VirtualMachine,
) -> Result<T, Error> {
    let root = Path::Root;
    T::deserialize(de::Node::new(obj, vm, &root)).map_err(path::Located::into_error)
}

impl Runtime {
    /// `value` as a Python object: what `rt.loads(&pickle_core::serde::to_vec(value, 5)?)`
    /// makes, without the bytes in between.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// enum Side { Buy, Sell }
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// struct Order { id: u64, side: Side, price: f64, tags: Vec<String> }
    ///
    /// let rt = Runtime::new()?;
    /// let order = Order { id: 7, side: Side::Sell, price: 9.5, tags: vec!["eu".into()] };
    /// let obj = rt.serialize(&order)?;
    /// assert_eq!(obj.repr()?, "{'id': 7, 'side': 'Sell', 'price': 9.5, 'tags': ['eu']}");
    /// obj.set_item("price", 10.25)?;
    /// assert_eq!(obj.deserialize::<Order>()?.price, 10.25);
    ///
    /// let orders = rt.eval::<brine::Object>("[{'id': 1, 'side': 'Buy', 'price': 'cheap', 'tags': []}]")?;
    /// let err = orders.deserialize::<Vec<Order>>().unwrap_err();
    /// assert_eq!(err.to_string(), "[0].price: expected float, found str");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn serialize<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<Object, Error> {
        self.with_cx(|cx| to_py(value, cx.vm).map(|obj| cx.wrap(obj)))
    }
}

impl Object {
    /// This object as a `T`, read as `pickle_core::serde::from_slice` reads a pickle of it.
    /// An error names where the value and the type part ways (`records[3].price: expected
    /// float, found str`).
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        self.with_raw(|obj, cx| from_py(obj, cx.vm))
    }
}
