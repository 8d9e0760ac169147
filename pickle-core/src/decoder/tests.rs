//! Decoder tests through a small builder that renders what it builds as Python-like text.

use super::*;
use crate::error::ErrorKind;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug)]
enum Node {
    None,
    Bool(bool),
    Int(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Ref>),
    Tuple(Vec<Ref>),
    Dict(Vec<(Ref, Ref)>),
    Set(Vec<Ref>),
    Global(String),
    Call(String, Ref),
}

type Ref = Rc<RefCell<Node>>;

#[derive(Default)]
struct Render {
    proto: u8,
}

fn new(node: Node) -> Result<Ref, PickleError> {
    Ok(Rc::new(RefCell::new(node)))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Builder for Render {
    type Value = Ref;
    type Error = PickleError;
    fn proto(&mut self, proto: u8) {
        self.proto = proto;
    }
    fn none(&mut self) -> Result<Ref, PickleError> {
        new(Node::None)
    }
    fn bool(&mut self, v: bool) -> Result<Ref, PickleError> {
        new(Node::Bool(v))
    }
    fn int(&mut self, v: i64) -> Result<Ref, PickleError> {
        new(Node::Int(v.to_string()))
    }
    fn big_int(&mut self, le: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Int(
            num_bigint::BigInt::from_signed_bytes_le(le).to_string(),
        ))
    }
    fn float(&mut self, v: f64) -> Result<Ref, PickleError> {
        new(Node::Float(v))
    }
    fn str(&mut self, t: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Str(text(t)))
    }
    fn bytes(&mut self, d: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Bytes(d.to_vec()))
    }
    fn bytearray(&mut self, d: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Bytes(d.to_vec()))
    }
    fn legacy_string(&mut self, d: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Bytes(d.to_vec()))
    }
    fn list(&mut self, items: Vec<Ref>) -> Result<Ref, PickleError> {
        new(Node::List(items))
    }
    fn tuple(&mut self, items: Vec<Ref>) -> Result<Ref, PickleError> {
        new(Node::Tuple(items))
    }
    fn dict(&mut self, pairs: Vec<Ref>) -> Result<Ref, PickleError> {
        let d = new(Node::Dict(Vec::new()))?;
        let mut pairs = pairs;
        self.set_items(&d, pairs.drain(..))?;
        Ok(d)
    }
    fn set(&mut self) -> Result<Ref, PickleError> {
        new(Node::Set(Vec::new()))
    }
    fn frozenset(&mut self, items: Vec<Ref>) -> Result<Ref, PickleError> {
        new(Node::Set(items))
    }
    fn append(&mut self, list: &Ref, items: Items<'_, Ref>) -> Result<(), PickleError> {
        match &mut *list.borrow_mut() {
            Node::List(v) => v.extend(items),
            _ => panic!("append to a non-list"),
        }
        Ok(())
    }
    fn set_items(&mut self, dict: &Ref, pairs: Items<'_, Ref>) -> Result<(), PickleError> {
        let mut it = pairs;
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            match &mut *dict.borrow_mut() {
                Node::Dict(d) => d.push((k, v)),
                _ => panic!("setitem on a non-dict"),
            }
        }
        Ok(())
    }
    fn add_items(&mut self, set: &Ref, items: Items<'_, Ref>) -> Result<(), PickleError> {
        match &mut *set.borrow_mut() {
            Node::Set(v) => v.extend(items),
            _ => panic!("additems on a non-set"),
        }
        Ok(())
    }
    fn global(&mut self, m: &[u8], n: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Global(format!("{}.{}", text(m), text(n))))
    }
    fn stack_global(&mut self, m: Ref, n: Ref) -> Result<Ref, PickleError> {
        new(Node::Global(format!("{}.{}", show(&m), show(&n))))
    }
    fn reduce(&mut self, f: Ref, a: Ref) -> Result<Ref, PickleError> {
        new(Node::Call(show(&f), a))
    }
    fn newobj(&mut self, c: Ref, a: Ref) -> Result<Ref, PickleError> {
        new(Node::Call(format!("{}.__new__", show(&c)), a))
    }
    fn newobj_ex(&mut self, c: Ref, a: Ref, _k: Ref) -> Result<Ref, PickleError> {
        new(Node::Call(format!("{}.__new__", show(&c)), a))
    }
    fn build(&mut self, _obj: &Ref, _state: Ref) -> Result<(), PickleError> {
        Ok(())
    }
    fn inst(&mut self, m: &[u8], n: &[u8], args: Vec<Ref>) -> Result<Ref, PickleError> {
        new(Node::Call(
            format!("{}.{}", text(m), text(n)),
            new(Node::Tuple(args))?,
        ))
    }
    fn obj(&mut self, c: Ref, args: Vec<Ref>) -> Result<Ref, PickleError> {
        new(Node::Call(show(&c), new(Node::Tuple(args))?))
    }
    fn persistent_id_text(&mut self, pid: &[u8]) -> Result<Ref, PickleError> {
        new(Node::Global(format!("persistent {}", text(pid))))
    }
    fn persistent_id(&mut self, pid: Ref) -> Result<Ref, PickleError> {
        new(Node::Global(format!("persistent {}", show(&pid))))
    }
    fn extension(&mut self, code: i32) -> Result<Ref, PickleError> {
        new(Node::Global(format!("ext {code}")))
    }
    fn next_buffer(&mut self) -> Result<Ref, PickleError> {
        new(Node::Global("buffer".into()))
    }
    fn readonly_buffer(&mut self, b: Ref) -> Result<Ref, PickleError> {
        Ok(b)
    }
}

fn show(node: &Ref) -> String {
    let mut seen = Vec::new();
    show_inner(node, &mut seen)
}

fn show_inner(node: &Ref, seen: &mut Vec<*const RefCell<Node>>) -> String {
    let ptr = Rc::as_ptr(node);
    if seen.contains(&ptr) {
        return "...".into();
    }
    seen.push(ptr);
    let join = |items: &[Ref], seen: &mut Vec<_>| {
        items
            .iter()
            .map(|i| show_inner(i, seen))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let out = match &*node.borrow() {
        Node::None => "None".into(),
        Node::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        Node::Int(s) => s.clone(),
        Node::Float(f) => crate::text::float_repr(*f),
        Node::Str(s) => format!("'{s}'"),
        Node::Bytes(b) => format!("b{:?}", text(b)),
        Node::List(v) => format!("[{}]", join(v, seen)),
        Node::Tuple(v) if v.len() == 1 => format!("({},)", join(v, seen)),
        Node::Tuple(v) => format!("({})", join(v, seen)),
        Node::Set(v) => format!("{{{}}}", join(v, seen)),
        Node::Dict(d) => {
            let parts: Vec<_> = d
                .iter()
                .map(|(k, v)| format!("{}: {}", show_inner(k, seen), show_inner(v, seen)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Node::Global(g) => g.clone(),
        Node::Call(f, a) => format!("{f}{}", show_inner(a, seen)),
    };
    seen.pop();
    out
}

fn render(data: &[u8]) -> Result<String, PickleError> {
    loads(data, &mut Render::default(), &Limits::default()).map(|v| show(&v))
}

fn error(data: &[u8]) -> ErrorKind {
    *render(data).unwrap_err().kind
}

#[test]
fn loads_cpython_pickles_of_every_protocol() {
    // pickle.dumps([1, 'a', (2.5, None, True), {'k': b'v'}], p) for p in 0, 2, 4, 5 (CPython 3.11).
    let want = "[1, 'a', (2.5, None, True), {'k': b\"v\"}]";
    let p0 = b"(lp0\nI1\naVa\np1\na(F2.5\nNI01\ntp2\na(dp3\nVk\np4\nc_codecs\nencode\np5\n(Vv\np6\nVlatin1\np7\ntp8\nRp9\nsa.";
    let p2 = b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87q\x02}q\x03X\x01\x00\x00\x00kq\x04c_codecs\nencode\nq\x05X\x01\x00\x00\x00vq\x06X\x06\x00\x00\x00latin1q\x07\x86q\x08Rq\tse.";
    let p4 = b"\x80\x04\x95#\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87\x94}\x94\x8c\x01k\x94C\x01v\x94se.";
    assert_eq!(render(p4).unwrap(), want);
    assert_eq!(
        render(p2).unwrap(),
        "[1, 'a', (2.5, None, True), {'k': _codecs.encode('v', 'latin1')}]"
    );
    assert_eq!(
        render(p0).unwrap(),
        "[1, 'a', (2.5, None, True), {'k': _codecs.encode('v', 'latin1')}]"
    );
}

#[test]
fn shared_references_and_cycles_come_back_shared() {
    // l = []; l.append(l); pickle.dumps([l, l], 2)
    let data = b"\x80\x02]q\x00(]q\x01h\x01ah\x01e.";
    assert_eq!(render(data).unwrap(), "[[...], [...]]");
}

#[test]
fn integers_of_every_width() {
    assert_eq!(
        render(b"\x80\x02\x8a\x05\x00\x00\x00\x80\x00.").unwrap(),
        "2147483648"
    );
    assert_eq!(
        render(b"\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.").unwrap(),
        "18446744073709551616"
    );
    assert_eq!(render(b"\x80\x02\x8a\x00.").unwrap(), "0");
    assert_eq!(render(b"J\xff\xff\xff\xff.").unwrap(), "-1");
    assert_eq!(
        render(b"L-9223372036854775809L\n.").unwrap(),
        "-9223372036854775809"
    );
    assert_eq!(render(b"I00\n.").unwrap(), "False");
}

#[test]
fn memo_indices_beyond_the_dense_part() {
    assert_eq!(
        render(b"Nr\x00\x00\x00\xf00j\x00\x00\x00\xf0.").unwrap(),
        "None"
    );
    assert_eq!(error(b"Nq\x010h\x02."), ErrorKind::MemoMissing(2));
}

/// LONG_BINPUTs each 1,023 past the last, then a LONG_BINGET of the last (an 850 KB pickle
/// of such puts had made the memo 2.6 GB): every entry is readable, and the memo's dense
/// part stays near the number of its entries.
#[test]
fn spread_out_puts_keep_the_memo_small() {
    let mut data = b"\x80\x02]".to_vec();
    for k in 1..20_000u32 {
        data.push(b'r');
        data.extend((k * 1023).to_le_bytes());
    }
    data.extend(b"0j");
    data.extend((7_777u32 * 1023).to_le_bytes());
    data.push(b'.');
    let mut memo = Memo::new();
    let value = load(
        &mut crate::reader::SliceSource::new(&data),
        &mut Render::default(),
        &mut memo,
        &Limits::default(),
    );
    assert_eq!(show(&value.unwrap()), "[]");
    assert_eq!(memo.len(), 19_999);
    let (dense, sparse) = memo.into_parts();
    assert!(dense.len() <= 2048, "{} dense slots", dense.len());
    assert_eq!(dense.iter().flatten().count() + sparse.len(), 19_999);
}

/// A put far out, then puts that grow the memo's dense part over its index, then GETs: as
/// CPython 3.13, `[7, 2, 1]` (the value put far out had read as missing once the dense part
/// covered its index).
#[test]
fn a_far_put_stays_readable_when_the_memo_grows_over_it() {
    let put = |idx: u32| [&[b'r'][..], &idx.to_le_bytes()].concat();
    let get = |idx: u32| [&[b'j'][..], &idx.to_le_bytes()].concat();
    let mut data = b"\x80\x02]K\x07".to_vec();
    data.extend(put(2000));
    data.push(b'0');
    for idx in 0..1500 {
        data.extend(b"K\x01");
        data.extend(put(idx));
        data.push(b'0');
    }
    data.extend(b"K\x02");
    data.extend(put(2500));
    data.push(b'0');
    for idx in [2000, 2500, 1499] {
        data.extend(get(idx));
        data.push(b'a');
    }
    data.push(b'.');
    assert_eq!(render(&data).unwrap(), "[7, 2, 1]");
}

#[test]
fn stack_discipline_errors_match_cpython() {
    assert_eq!(error(b""), ErrorKind::RanOutOfInput);
    assert_eq!(error(b"N"), ErrorKind::RanOutOfInput);
    assert_eq!(error(b"."), ErrorKind::StackUnderflow);
    assert_eq!(error(b"(."), ErrorKind::UnexpectedMark);
    assert_eq!(error(b"Nt."), ErrorKind::NoMark);
    assert_eq!(error(b"N(a."), ErrorKind::UnexpectedMark);
    assert_eq!(error(b"\x80\x06N."), ErrorKind::UnsupportedProtocol(6));
    assert_eq!(error(b"X\x05\x00\x00\x00ab"), ErrorKind::Truncated);
    assert_eq!(error(b"Nz"), ErrorKind::InvalidLoadKey(b'z'));
}

#[test]
fn pop_removes_a_bare_mark() {
    assert_eq!(render(b"N(0.").unwrap(), "None");
    assert_eq!(render(b"N(N1.").unwrap(), "None");
}

#[test]
fn lone_surrogates_load_and_bad_utf8_is_refused() {
    assert!(render(b"X\x03\x00\x00\x00\xed\xa0\x80.").is_ok());
    assert!(matches!(
        error(b"X\x01\x00\x00\x00\xff."),
        ErrorKind::Undecodable {
            start: 0,
            end: 1,
            ..
        }
    ));
}

#[test]
fn globals_and_calls_are_left_to_the_builder() {
    assert_eq!(
        render(b"cos\nsystem\n(S'echo'\ntR.").unwrap(),
        "os.system(b\"echo\",)"
    );
    assert_eq!(render(b"\x80\x04\x8c\x01m\x8c\x01n\x93).").unwrap(), "()");
    assert_eq!(
        render(b"\x80\x04\x8c\x01m\x8c\x01n\x93)\x81.").unwrap(),
        "'m'.'n'.__new__()"
    );
}

#[test]
fn the_memory_limit_stops_a_large_load() {
    let limits = Limits {
        max_memory: 100,
        ..Limits::default()
    };
    let mut data = b"\x80\x04B\xc8\x00\x00\x00".to_vec();
    data.extend([b'x'; 200]);
    data.push(b'.');
    let err = loads(&data, &mut Render::default(), &limits).unwrap_err();
    assert_eq!(*err.kind, ErrorKind::LimitExceeded("memory"));
    assert!(loads(&data, &mut Render::default(), &Limits::default()).is_ok());
}

#[test]
fn deep_marks_do_not_recurse() {
    let mut data = vec![b'('; 100_000];
    data.push(b'N');
    data.push(b'.');
    assert_eq!(render(&data).unwrap(), "None");
    let err = loads(&data, &mut Render::default(), &Limits::UNTRUSTED).unwrap_err();
    assert_eq!(*err.kind, ErrorKind::LimitExceeded("mark depth"));
}

#[test]
fn an_empty_global_or_inst_name_is_truncated_data_as_in_cpython() {
    for data in [
        &b"c\nlog\n."[..],
        b"cmath\n\n.",
        b"\x80\x04cmath\n\n.",
        b"(i\nlog\n.",
        b"(imath\n\n.",
    ] {
        assert_eq!(error(data), ErrorKind::Truncated, "{data:?}");
    }
    assert_eq!(render(b"cmath\nlog\n.").unwrap(), "math.log");
}

/// Every pickle of the golden corpus (CPython's, protocols 0-5) loads the same with a memo
/// that keeps only what the opcode walk says is read back: no GET misses its entry, and
/// MEMOIZE's indices come out as with a memo that keeps everything.
#[test]
fn a_memo_keeping_only_what_is_read_loads_the_golden_corpus_alike() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/corpus");
    let mut checked = 0;
    for proto in 0..=5 {
        for entry in std::fs::read_dir(corpus.join(format!("p{proto}"))).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "pickle") {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            let Some(reads) = MemoReads::scan(&data) else {
                continue;
            };
            // Through the Value model, written back: the same graph gives the same bytes.
            let limits = Limits::default();
            let mut builder = crate::value::read::GraphBuilder::new(&limits);
            let mut memo = Memo::keeping_only(reads);
            let kept = load(
                &mut SliceSource::new(&data),
                &mut builder,
                &mut memo,
                &limits,
            )
            .map(|root| crate::value::Pickle {
                graph: builder.graph,
                root,
            })
            .and_then(|p| crate::value::to_vec(&p, proto));
            let full = crate::value::from_slice(&data, &limits)
                .and_then(|p| crate::value::to_vec(&p, proto));
            assert_eq!(kept.ok(), full.ok(), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 2500, "{checked} pickles walked");
}
