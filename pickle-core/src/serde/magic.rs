//! Types serde has no word for, carried through its data model as newtype structs with
//! reserved names: integers of any size ([`big_int`]) and persistent ids ([`PersistentId`]).
//! With another format they are their content (a big integer's bytes, the id's value).

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// The newtype name of an integer written as its little-endian two's-complement bytes.
pub const BIG_INT: &str = "\0pickle_core::BigInt";
/// The newtype name of a persistent id.
pub const PERSISTENT_ID: &str = "\0pickle_core::PersistentId";

/// A Python int of any size as a `num_bigint::BigInt`, for `#[serde(with = "...")]`:
///
/// ```
/// use num_bigint::BigInt;
/// use pickle_core::serde::{DeOptions, from_slice, to_vec};
///
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Counter {
///     #[serde(with = "pickle_core::serde::big_int")]
///     total: BigInt,
/// }
///
/// let counter = Counter { total: BigInt::from(1u8) << 200 };
/// let data = to_vec(&counter, 2).unwrap();
/// assert_eq!(from_slice::<Counter>(&data, DeOptions::new()).unwrap(), counter);
/// ```
pub mod big_int {
    use super::BIG_INT;
    use num_bigint::BigInt;
    use serde::{Deserializer, Serializer};

    /// Writes `value` as a Python int (LONG1/LONG4, or LONG text in protocols 0 and 1).
    pub fn serialize<S: Serializer>(value: &BigInt, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(BIG_INT, &LeBytes(value.to_signed_bytes_le()))
    }

    /// Reads any Python int.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BigInt, D::Error> {
        deserializer.deserialize_newtype_struct(BIG_INT, super::BigIntVisitor)
    }

    struct LeBytes(Vec<u8>);

    impl serde::Serialize for LeBytes {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }
}

struct BigIntVisitor;

impl<'de> Visitor<'de> for BigIntVisitor {
    type Value = num_bigint::BigInt;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_bytes<E: de::Error>(self, le: &[u8]) -> Result<Self::Value, E> {
        Ok(num_bigint::BigInt::from_signed_bytes_le(le))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_bytes(self)
    }
}

/// A persistent id: written as PERSID/BINPERSID around its value, so `pickle.loads` hands the
/// value to `persistent_load`; read from such an id, whatever `DeOptions::persistent_load`
/// says.
///
/// ```
/// use pickle_core::serde::{DeOptions, PersistentId, from_slice, to_vec};
///
/// let weights: Vec<PersistentId<(String, u32)>> = vec![PersistentId(("storage".into(), 0))];
/// let data = to_vec(&weights, 2).unwrap();
/// let back: Vec<PersistentId<(String, u32)>> = from_slice(&data, DeOptions::new()).unwrap();
/// assert_eq!(back, weights);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersistentId<T>(pub T);

impl<T: Serialize> Serialize for PersistentId<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(PERSISTENT_ID, &self.0)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for PersistentId<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for IdVisitor<T> {
            type Value = PersistentId<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a persistent id")
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                T::deserialize(d).map(PersistentId)
            }
        }

        deserializer.deserialize_newtype_struct(PERSISTENT_ID, IdVisitor(std::marker::PhantomData))
    }
}
