//! Pickling: the `Pickler` class and the walk over VM objects that drives `pickle-core`'s
//! encoder ([`save`] for the built-in types, [`reduce`] and [`object_reduce`] for everything
//! reduced, [`slot_state`] for the state of `__slots__` instances, [`class_plan`] for what a
//! class decides about it once per walk, [`global`] for objects saved by name).

pub(crate) mod class_plan;
pub(crate) mod global;
mod module_strings;
pub(crate) mod object_reduce;
pub(crate) mod pickler;
pub(crate) mod reduce;
pub(crate) mod save;
pub(crate) mod set_order;
mod sets;
pub(crate) mod slot_state;
pub(crate) mod to_graph;
