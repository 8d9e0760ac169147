//! Value model tests: reading CPython's pickles into graphs and writing them back.

use super::*;
use crate::decoder::Limits;

#[test]
fn builtins_round_trip_to_cpythons_bytes() {
    // pickle.dumps([1, 'a', (2.5, None, True), {'k': b'v'}], p) from CPython 3.11.
    let cases: [(u8, &[u8]); 3] = [
        (0, b"(lp0\nI1\naVa\np1\na(F2.5\nNI01\ntp2\na(dp3\nVk\np4\nc_codecs\nencode\np5\n(Vv\np6\nVlatin1\np7\ntp8\nRp9\nsa."),
        (2, b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87q\x02}q\x03X\x01\x00\x00\x00kq\x04c_codecs\nencode\nq\x05X\x01\x00\x00\x00vq\x06X\x06\x00\x00\x00latin1q\x07\x86q\x08Rq\tse."),
        (4, b"\x80\x04\x95#\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87\x94}\x94\x8c\x01k\x94C\x01v\x94se."),
    ];
    for (proto, data) in cases {
        let pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
        assert_eq!(to_vec(&pickle, proto).unwrap(), data, "protocol {proto}");
    }
}

#[test]
fn converting_protocols_writes_cpythons_reductions() {
    // The protocol-4 pickle above, written at protocols 0 and 2: b'v' becomes
    // _codecs.encode('v', 'latin1'), exactly as CPython writes those protocols.
    let p4 = b"\x80\x04\x95#\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87\x94}\x94\x8c\x01k\x94C\x01v\x94se.";
    let pickle = from_slice(p4, &Limits::UNTRUSTED).unwrap();
    assert_eq!(
        to_vec(&pickle, 2).unwrap(),
        b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87q\x02}q\x03X\x01\x00\x00\x00kq\x04c_codecs\nencode\nq\x05X\x01\x00\x00\x00vq\x06X\x06\x00\x00\x00latin1q\x07\x86q\x08Rq\tse."
    );
}

#[test]
fn objects_keep_their_calls_and_state_as_data() {
    // pickle.dumps(Plain(1, 'two'), 2) for a module-level class Plain in golden_classes.
    let data = b"\x80\x02cgolden_classes\nPlain\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00aq\x03K\x01X\x01\x00\x00\x00bq\x04X\x03\x00\x00\x00twoq\x05ub.";
    let pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
    let Value::Object(object) = pickle.graph.get(pickle.root) else {
        panic!("an object")
    };
    let Make::NewObj { cls, .. } = object.make else {
        panic!("NEWOBJ")
    };
    let Value::Global { module, name } = pickle.graph.get(cls) else {
        panic!("a global")
    };
    assert_eq!(pickle.graph.get(*module).as_str(), Some("golden_classes"));
    assert_eq!(pickle.graph.get(*name).as_str(), Some("Plain"));
    assert!(
        matches!(pickle.graph.get(object.state.unwrap()), Value::Dict(pairs) if pairs.len() == 2)
    );
    assert_eq!(to_vec(&pickle, 2).unwrap(), data);
}

#[test]
fn recursive_tuples_are_written_as_cpython_writes_them() {
    // t = ([],); t[0].append(t); pickle.dumps(t, 2)
    let data = b"\x80\x02]q\x00h\x00\x85q\x01a0h\x01.";
    let pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
    assert_eq!(to_vec(&pickle, 2).unwrap(), data);
}

#[test]
fn deep_graphs_are_refused_not_overflowed() {
    let mut data = b"\x80\x02".to_vec();
    data.extend(std::iter::repeat_n(b']', 5000));
    data.extend(std::iter::repeat_n(b'a', 4999));
    data.push(b'.');
    let pickle = from_slice(&data, &Limits::UNTRUSTED).unwrap();
    let err = to_vec(&pickle, 2).unwrap_err();
    assert_eq!(err.exc_kind(), PyExcKind::Recursion);
}

#[test]
fn a_buffered_reader_is_left_at_the_next_pickle() {
    let two = b"\x80\x02K\x01.\x80\x04\x8c\x02hi\x94.rest";
    let mut reader = std::io::BufReader::with_capacity(3, &two[..]);
    let first = read_from(&mut reader, &Limits::UNTRUSTED).unwrap();
    let second = read_from(&mut reader, &Limits::UNTRUSTED).unwrap();
    assert_eq!(first.graph.get(first.root), &Value::Int(1));
    assert_eq!(second.graph.get(second.root).as_str(), Some("hi"));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    assert_eq!(rest, "rest");
}

use crate::error::PyExcKind;

#[test]
fn write_into_appends_and_leaves_the_buffer_alone_on_error() {
    let mut graph = Graph::new();
    let pid = graph.add(Value::str("é"));
    let root = graph.add(Value::PersistentId(pid));
    let pickle = Pickle { graph, root };
    let mut buffer = b"kept".to_vec();
    write_into(&pickle, 2, &mut buffer).unwrap();
    assert_eq!(buffer, b"kept\x80\x02X\x02\x00\x00\x00\xc3\xa9q\x00Q.");
    let err = write_into(&pickle, 0, &mut buffer).unwrap_err();
    assert_eq!(
        err.to_string(),
        "persistent IDs in protocol 0 must be ASCII strings"
    );
    assert_eq!(buffer, b"kept\x80\x02X\x02\x00\x00\x00\xc3\xa9q\x00Q.");
}

#[test]
fn ids_past_the_graph_are_errors_not_panics() {
    // Graphs built by hand: a list naming node 7, a root past the end, a global whose name
    // is missing (read directly at protocols below 4), a protocol-0 persistent id likewise.
    let mut list = Graph::new();
    let root = list.add(Value::List(vec![7]));
    let list = Pickle { graph: list, root };
    let past_root = Pickle {
        graph: Graph::new(),
        root: 3,
    };
    let mut global = Graph::new();
    let module = global.add(Value::str("m"));
    let root = global.add(Value::Global { module, name: 9 });
    let global = Pickle {
        graph: global,
        root,
    };
    let mut persistent = Graph::new();
    let root = persistent.add(Value::PersistentId(4));
    let persistent = Pickle {
        graph: persistent,
        root,
    };
    let cases = [
        (&list, 7, 1),
        (&past_root, 3, 0),
        (&global, 9, 2),
        (&persistent, 4, 1),
    ];
    for (pickle, id, len) in cases {
        let expected = format!("node {id} is not in the graph, which has {len} nodes");
        for proto in 0..=5 {
            let err = to_vec(pickle, proto).unwrap_err();
            assert_eq!(err.to_string(), expected, "protocol {proto}");
        }
        assert_eq!(to_json(pickle).unwrap_err().to_string(), expected);
    }
}

#[test]
fn str_nodes_that_are_not_utf8_are_refused_by_the_writers() {
    for bytes in [&b"\xff\xfe"[..], b"ok \xc3", b"\xf0\x9f", b"\xc0\x80"] {
        let mut graph = Graph::new();
        let text = graph.add(Value::Str(bytes.to_vec()));
        let root = graph.add(Value::List(vec![text]));
        let pickle = Pickle { graph, root };
        let expected = "node 0 is a str whose bytes are not UTF-8";
        for proto in 0..=5 {
            let err = to_vec(&pickle, proto).unwrap_err();
            assert_eq!(err.to_string(), expected, "{bytes:?}, protocol {proto}");
        }
        assert_eq!(to_json(&pickle).unwrap_err().to_string(), expected);
    }
    // A lone surrogate is what the reader itself makes of CPython's surrogatepass text.
    let mut graph = Graph::new();
    let root = graph.add(Value::Str(b"\xed\xa0\x80".to_vec()));
    let pickle = Pickle { graph, root };
    assert_eq!(
        to_vec(&pickle, 4).unwrap(),
        b"\x80\x04\x95\x07\x00\x00\x00\x00\x00\x00\x00\x8c\x03\xed\xa0\x80\x94."
    );
    assert_eq!(to_json(&pickle).unwrap(), r#"{"code_points":[55296]}"#);
}

#[test]
fn text_put_into_a_read_graph_is_checked_when_written() {
    // pickle.dumps(['a'], 4): read (its text checked then), then changed by hand.
    let data = b"\x80\x04\x95\x08\x00\x00\x00\x00\x00\x00\x00]\x94\x8c\x01a\x94a.";
    let mut pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
    assert_eq!(to_vec(&pickle, 4).unwrap(), data);
    let Value::List(items) = pickle.graph.get(pickle.root) else {
        panic!("a list");
    };
    let text = items[0];
    *pickle.graph.get_mut(text) = Value::Str(b"\xff".to_vec());
    let expected = format!("node {text} is a str whose bytes are not UTF-8");
    assert_eq!(to_vec(&pickle, 4).unwrap_err().to_string(), expected);
}

#[test]
fn a_protocol_0_persistent_id_must_be_ascii_as_in_cpython() {
    let err = from_slice(b"P\xc3\xa9\n.", &Limits::UNTRUSTED).unwrap_err();
    assert_eq!(
        err.to_string(),
        "persistent IDs in protocol 0 must be ASCII strings"
    );
    let pickle = from_slice(b"Pkey\n.", &Limits::UNTRUSTED).unwrap();
    assert_eq!(to_json(&pickle).unwrap(), r#"{"persistent_id":"key"}"#);
}

#[test]
fn a_graph_reader_shares_its_memo_across_reads_and_its_text_is_checked_when_written() {
    // Text put in by hand is checked when the graph is written.
    let mut reader = GraphReader::new(&Limits::UNTRUSTED);
    let bad = reader.add(Value::Str(b"\xff".to_vec())).unwrap();
    let err = to_vec(&reader.into_pickle(bad), 5).unwrap_err();
    assert_eq!(err.to_string(), "node 0 is a str whose bytes are not UTF-8");
    let mut reader = GraphReader::new(&Limits::UNTRUSTED);
    let list = reader.add(Value::List(vec![])).unwrap();
    let err = reader.replace(5, Value::None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "node 5 is not in the graph, which has 1 nodes"
    );
    reader.memoize(list);
    // A first read memoises a str (index 1); a second fetches both entries.
    let text = reader.read(b"\x8c\x01a\x94.").unwrap();
    assert_eq!(reader.memo_len(), 2);
    assert_eq!(reader.memo_get(1), Some(text));
    let pair = reader.read(b"h\x00h\x01\x86.").unwrap();
    assert_eq!(reader.memo_get(2), None);
    let pickle = reader.into_pickle(pair);
    assert_eq!(pickle.graph.get(pair), &Value::Tuple(vec![list, text]));
    // A read that fails is an error, and says where.
    let mut reader = GraphReader::new(&Limits::UNTRUSTED);
    assert_eq!(
        reader.read(b"h\x07.").unwrap_err().to_string(),
        "Memo value not found at index 7"
    );
}
