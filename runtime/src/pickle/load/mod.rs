//! Unpickling: the `Unpickler` class, the decoder's builder that makes VM objects
//! ([`vm_builder`]), `pickle.loads` from a slice ([`one_shot`]), reading pickles from Python
//! file objects ([`file_source`]), the cycle collector kept out of a load's way
//! ([`collector`]), the attribute names BUILD interns ([`attribute_names`]), the
//! descriptors it sets slot state through ([`slot_setters`]), whether a class kept
//! object's attribute access ([`object_slots`]), what it asks of a class once per version
//! ([`class_facts`]), the latin-1 text of protocols 0-2's `bytes` ([`latin1_text`]), and
//! their sets, written as calls ([`set_calls`]).

pub(crate) mod attribute_names;
pub(crate) mod class_facts;
pub(crate) mod collector;
pub(crate) mod file_source;
pub(crate) mod latin1_text;
pub(crate) mod object_slots;
pub(crate) mod one_shot;
pub(crate) mod set_calls;
pub(crate) mod slot_setters;
pub(crate) mod unpickler;
pub(crate) mod vm_builder;
