//! joblib's NumPy arrays: `joblib.dump` pickles each array as a
//! `joblib.numpy_pickle.NumpyArrayWrapper` (its class, shape, order and dtype as state) and
//! writes the array itself into the stream right after the wrapper's BUILD, where
//! `joblib.load` reads it: the raw bytes, after a padding length and padding when the state
//! has `numpy_array_alignment_bytes`, or, for an array of objects, a whole pickle of it. The
//! inspector skips the bytes and reads the pickle (what it names counts like anything else).

use super::describe::global_name;
use crate::decoder::InlineData;
use crate::value::{Graph, Make, NodeId, Value};

/// What follows the BUILD of `obj` in a joblib stream: nothing unless `obj` is a NumPy array
/// wrapper whose state gives a dtype and shape the bytes can be counted from. A wrapper whose
/// state cannot be understood is left alone: the bytes then fail to read as opcodes, and the
/// file is malformed, never safe.
pub(super) fn inline_array(graph: &Graph, obj: NodeId) -> InlineData {
    wrapper_array(graph, obj).unwrap_or(InlineData::None)
}

fn wrapper_array(graph: &Graph, obj: NodeId) -> Option<InlineData> {
    let Value::Object(object) = graph.get(obj) else {
        return None;
    };
    let Make::NewObj { cls, .. } = object.make else {
        return None;
    };
    let (module, name) = global_name(graph, cls)?;
    if (module.as_str(), name.as_str()) != ("joblib.numpy_pickle", "NumpyArrayWrapper") {
        return None;
    }
    let Value::Dict(pairs) = graph.get(object.state?) else {
        return None;
    };
    let field = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| graph.get(*k).as_str() == Some(key))
            .map(|(_, v)| *v)
    };
    let code = dtype_code(graph, field("dtype")?)?;
    if code
        .trim_start_matches(['<', '>', '|', '='])
        .starts_with('O')
    {
        return Some(InlineData::Pickle);
    }
    let Value::Tuple(dims) = graph.get(field("shape")?) else {
        return None;
    };
    let mut count: u64 = 1;
    for dim in dims {
        let Value::Int(n) = graph.get(*dim) else {
            return None;
        };
        count = count.checked_mul(u64::try_from(*n).ok()?)?;
    }
    let padded =
        field("numpy_array_alignment_bytes").is_some_and(|v| !matches!(graph.get(v), Value::None));
    Some(InlineData::Bytes {
        padded,
        len: count.checked_mul(item_size(&code)?)?,
    })
}

/// The type code of a pickled `numpy.dtype(code, align, copy)`.
fn dtype_code(graph: &Graph, dtype: NodeId) -> Option<String> {
    let Value::Object(object) = graph.get(dtype) else {
        return None;
    };
    let Make::Reduce { func, args } = object.make else {
        return None;
    };
    let (module, name) = global_name(graph, func)?;
    if module != "numpy" || name != "dtype" {
        return None;
    }
    let Value::Tuple(args) = graph.get(args) else {
        return None;
    };
    graph.get(*args.first()?).as_str().map(str::to_string)
}

/// Bytes per element of a NumPy type code with an explicit size (`f8`, `<i4`, `|b1`, `<U10`:
/// four bytes per character, `S5`, `V16`, `M8`); None for anything else.
fn item_size(code: &str) -> Option<u64> {
    let code = code.trim_start_matches(['<', '>', '|', '=']);
    let kind = code.chars().next()?;
    let digits: String = code[kind.len_utf8()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let rest = &code[kind.len_utf8() + digits.len()..];
    if !(rest.is_empty() || (matches!(kind, 'M' | 'm') && rest.starts_with('['))) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    match kind {
        'U' => n.checked_mul(4),
        'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'V' | 'M' | 'm' => Some(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::item_size;

    #[test]
    fn item_sizes_of_numpy_type_codes() {
        assert_eq!(item_size("<f8"), Some(8));
        assert_eq!(item_size("|b1"), Some(1));
        assert_eq!(item_size("<U10"), Some(40));
        assert_eq!(item_size("<M8[ns]"), Some(8));
        assert_eq!(item_size("c16"), Some(16));
        assert_eq!(item_size("f"), None);
        assert_eq!(item_size("<f8x"), None);
    }
}
