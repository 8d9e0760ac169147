//! serde's access traits over a graph's sequences, pairs, reduced objects and enums.

use super::Reader;
use super::data::Reduced;
use super::node::{Item, NodeDe};
use crate::serde::Error;
use crate::value::NodeId;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

/// The elements of a tuple, list, set or a call's arguments.
pub(super) struct SeqRef<'r, 'p> {
    r: &'r mut Reader<'p>,
    items: std::slice::Iter<'p, NodeId>,
}

impl<'r, 'p> SeqRef<'r, 'p> {
    pub(super) fn new(r: &'r mut Reader<'p>, items: &'p [NodeId]) -> Self {
        SeqRef {
            r,
            items: items.iter(),
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqRef<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(&id) => seed
                .deserialize(NodeDe::new(self.r, Item::Node(id)))
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

type PairIter<'p> = std::slice::Iter<'p, (NodeId, NodeId)>;

/// Key/value pairs: a dict's, or an instance's `__dict__` followed by its slots.
pub(super) struct MapRef<'r, 'p> {
    r: &'r mut Reader<'p>,
    pairs: std::iter::Chain<PairIter<'p>, PairIter<'p>>,
    value: Option<NodeId>,
    left: usize,
}

impl<'r, 'p> MapRef<'r, 'p> {
    pub(super) fn new(
        r: &'r mut Reader<'p>,
        first: &'p [(NodeId, NodeId)],
        then: &'p [(NodeId, NodeId)],
    ) -> Self {
        MapRef {
            r,
            pairs: first.iter().chain(then),
            value: None,
            left: first.len() + then.len(),
        }
    }
}

impl<'de> de::MapAccess<'de> for MapRef<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(&(key, value)) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        self.left -= 1;
        seed.deserialize(NodeDe::new(self.r, Item::Node(key)))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Error::msg("a map value asked for twice"))?;
        seed.deserialize(NodeDe::new(self.r, Item::Node(value)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A reduced object as a map: `module`, `name`, and for a call `args` and `state`, then
/// `kwargs`, `listitems` and `dictitems` where the pickle has them.
pub(super) struct ReducedMap<'r, 'p> {
    r: &'r mut Reader<'p>,
    entries: std::vec::IntoIter<(&'static str, Item<'p>)>,
    value: Option<Item<'p>>,
}

impl<'r, 'p> ReducedMap<'r, 'p> {
    pub(super) fn new(r: &'r mut Reader<'p>, object: &Reduced<'p>) -> Self {
        let mut entries = vec![
            ("module", Item::Text(object.module)),
            ("name", Item::Text(object.name)),
        ];
        if object.called {
            entries.push(("args", Item::Nodes(object.args)));
            entries.push(("state", object.state.map_or(Item::None, Item::Node)));
        }
        if let Some(kwargs) = object.kwargs {
            entries.push(("kwargs", Item::Node(kwargs)));
        }
        if !object.listitems.is_empty() {
            entries.push(("listitems", Item::Nodes(object.listitems)));
        }
        if !object.dictitems.is_empty() {
            entries.push(("dictitems", Item::Pairs(object.dictitems)));
        }
        ReducedMap {
            r,
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for ReducedMap<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Error::msg("a map value asked for twice"))?;
        seed.deserialize(NodeDe::new(self.r, value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum variant named by a node, with its content (none for a unit variant).
pub(super) struct EnumRef<'r, 'p> {
    r: &'r mut Reader<'p>,
    variant: NodeId,
    content: Option<NodeId>,
}

impl<'r, 'p> EnumRef<'r, 'p> {
    pub(super) fn new(r: &'r mut Reader<'p>, variant: NodeId, content: Option<NodeId>) -> Self {
        EnumRef {
            r,
            variant,
            content,
        }
    }
}

impl<'de, 'r, 'p> de::EnumAccess<'de> for EnumRef<'r, 'p> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(NodeDe::new(self.r, Item::Node(self.variant)))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumRef<'_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.content {
            None => Ok(()),
            Some(id) => de::Deserialize::deserialize(NodeDe::new(self.r, Item::Node(id))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        let content = self.content.map_or(Item::None, Item::Node);
        seed.deserialize(NodeDe::new(self.r, content))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        let content = self.content.map_or(Item::None, Item::Node);
        de::Deserializer::deserialize_tuple(NodeDe::new(self.r, content), len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let content = self.content.map_or(Item::None, Item::Node);
        de::Deserializer::deserialize_struct(NodeDe::new(self.r, content), "", fields, visitor)
    }
}
