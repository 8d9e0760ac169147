//! `inspect` finds what a pickle would use however it is hidden (memo, STACK_GLOBAL, INST,
//! OBJ, methods of globals), maps Python 2 names as the loader does, and judges the golden
//! corpus's plain data safe under the default allow-list.

use pickle_core::decoder::Limits;
use pickle_core::inspect::{AllowList, BufferUse, Report, Verdict, inspect};
use std::path::PathBuf;

fn report(data: &[u8]) -> Report {
    inspect(data, &Limits::UNTRUSTED, &AllowList::safe_default())
}

/// `(opcode, callable, allowed)` for each call.
fn calls(report: &Report) -> Vec<(&str, &str, bool)> {
    report
        .calls
        .iter()
        .map(|c| (c.opcode, c.callable.as_str(), c.allowed))
        .collect()
}

/// `(opcode, resolved, allowed)` for each global.
fn globals(report: &Report) -> Vec<(&str, &str, bool)> {
    report
        .globals
        .iter()
        .map(|g| (g.opcode, g.resolved.as_str(), g.allowed))
        .collect()
}

/// Asserts the verdict is unsafe, with a problem that `matches`.
fn assert_unsafe_with(report: &Report, matches: impl Fn(&str) -> bool) {
    let Verdict::Unsafe(problems) = report.verdict() else {
        panic!("{:?}", report.verdict());
    };
    assert!(problems.iter().any(|p| matches(p)), "{problems:?}");
}

#[test]
fn a_reduce_of_os_system_is_unsafe() {
    let r = report(b"cos\nsystem\n(S'echo hi'\ntR.");
    assert_eq!(globals(&r), [("GLOBAL", "os.system", false)]);
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
    assert_eq!(
        r.verdict(),
        Verdict::Unsafe(vec![
            "global os.system is not allowed".into(),
            "REDUCE calls os.system, which is not allowed".into(),
        ])
    );
}

#[test]
fn a_callable_fetched_back_from_the_memo_is_found() {
    // GLOBAL __builtin__ eval; BINPUT 0; POP; BINGET 0; '1+1'; TUPLE1; REDUCE.
    let r = report(b"\x80\x02c__builtin__\neval\nq\x000h\x00X\x03\x00\x00\x001+1\x85R.");
    assert_eq!(r.globals[0].module, "__builtin__");
    assert_eq!(globals(&r), [("GLOBAL", "builtins.eval", false)]);
    assert_eq!(calls(&r), [("REDUCE", "builtins.eval", false)]);
}

#[test]
fn stack_global_names_from_the_memo_are_found() {
    // 'os' and 'system' memoized and popped, fetched back for STACK_GLOBAL.
    let r = report(b"\x80\x04\x8c\x02os\x94\x8c\x06system\x9400h\x00h\x01\x93\x8c\x02id\x85R.");
    assert_eq!(globals(&r), [("STACK_GLOBAL", "os.system", false)]);
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
}

#[test]
fn python_2_names_are_mapped_only_below_protocol_3() {
    // A protocol 2 set: __builtin__.set is builtins.set, allowed.
    let r = report(b"\x80\x02c__builtin__\nset\nq\x00]q\x01K\x01a\x85q\x02Rq\x03.");
    assert_eq!(globals(&r), [("GLOBAL", "builtins.set", true)]);
    assert_eq!(r.verdict(), Verdict::Safe);
    // At protocol 3 the loader imports __builtin__ as written, which is not allowed.
    let r = report(b"\x80\x03c__builtin__\nset\n]\x85R.");
    assert_eq!(globals(&r), [("GLOBAL", "__builtin__.set", false)]);
}

#[test]
fn inst_and_obj_are_calls() {
    let r = report(b"(S'id'\nios\nsystem\n.");
    assert_eq!(globals(&r), [("INST", "os.system", false)]);
    assert_eq!(calls(&r), [("INST", "os.system", false)]);
    let r = report(b"(cos\nsystem\nS'id'\no.");
    assert_eq!(calls(&r), [("OBJ", "os.system", false)]);
    let r = report(b"\x80\x04cos\nsystem\n)}\x92.");
    assert_eq!(calls(&r), [("NEWOBJ_EX", "os.system", false)]);
}

#[test]
fn changing_a_global_object_is_unsafe_even_when_the_global_is_allowed() {
    // BUILD on the class builtins.set sets attributes on it.
    let r = report(b"cbuiltins\nset\n}S'x'\nI1\nsb.");
    assert_eq!(globals(&r), [("GLOBAL", "builtins.set", true)]);
    assert_eq!(calls(&r), [("BUILD", "builtins.set.__setstate__", false)]);
    // APPEND on the class builtins.list calls its append.
    let r = report(b"cbuiltins\nlist\nI1\na.");
    assert_eq!(calls(&r), [("APPEND", "builtins.list.append", false)]);
    assert!(matches!(r.verdict(), Verdict::Unsafe(_)));
    // SETITEM on os.environ.
    let r = report(b"cos\nenviron\nS'A'\nS'B'\ns.");
    assert_eq!(calls(&r), [("SETITEM", "os.environ.__setitem__", false)]);
}

#[test]
fn calling_a_call_result_is_unsafe() {
    // builtins.getattr(builtins.object, '__subclasses__')()
    let r = report(b"cbuiltins\ngetattr\n(cbuiltins\nobject\nS'__subclasses__'\ntR)R.");
    assert_eq!(
        calls(&r),
        [
            ("REDUCE", "builtins.getattr", false),
            (
                "REDUCE",
                "builtins.getattr(builtins.object, '__subclasses__')",
                false
            ),
        ]
    );
}

#[test]
fn persistent_ids_and_buffers_are_listed_and_safe() {
    let r = report(b"(lp0\nPkey1\naPkey2\na.");
    assert_eq!(r.persistent_ids, ["'key1'", "'key2'"]);
    assert_eq!(r.verdict(), Verdict::Safe);
    // Two out-of-band buffers, the second read-only.
    let r = report(b"\x80\x05\x97\x97\x98\x86.");
    assert_eq!(
        r.buffers,
        [
            BufferUse {
                index: 0,
                readonly: false
            },
            BufferUse {
                index: 1,
                readonly: true
            }
        ]
    );
    assert_eq!(r.verdict(), Verdict::Safe);
}

#[test]
fn extension_codes_are_unsafe() {
    let r = report(b"\x80\x02\x82\x01.");
    assert_eq!(r.extensions, [1]);
    assert!(matches!(r.verdict(), Verdict::Unsafe(_)));
}

#[test]
fn a_malformed_pickle_still_reports_what_came_before() {
    let r = report(b"cos\nsystem\n(S'x'\ntR");
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
    assert_eq!(
        r.verdict(),
        Verdict::Malformed("Ran out of input (at byte 19)".into())
    );
    assert!(r.to_text().contains("REDUCE os.system  NOT ALLOWED\n"));
}

#[test]
fn reports_render_as_text_and_json() {
    let r = report(b"\x80\x02c__builtin__\neval\nq\x000h\x00X\x03\x00\x00\x001+1\x85R.");
    assert_eq!(
        r.to_text(),
        "globals:
  GLOBAL builtins.eval (written __builtin__.eval)  NOT ALLOWED
calls:
  REDUCE builtins.eval  NOT ALLOWED
verdict: unsafe
  - global builtins.eval is not allowed
  - REDUCE calls builtins.eval, which is not allowed
"
    );
    assert_eq!(
        r.to_json(),
        r#"{"verdict":"unsafe","problems":["global builtins.eval is not allowed","REDUCE calls builtins.eval, which is not allowed"],"error":null,"globals":[{"opcode":"GLOBAL","module":"__builtin__","name":"eval","resolved":"builtins.eval","allowed":false,"offset":2}],"calls":[{"opcode":"REDUCE","callable":"builtins.eval","allowed":false,"offset":34}],"persistent_ids":[],"extensions":[],"buffers":[],"tensors":[],"refused":[]}"#
    );
}

/// Golden cases of built-in types that pickle functions or types by reference: they name
/// globals the default list does not allow (functions, getattr, type, exception classes).
const NAMES_FUNCTIONS: [&str; 13] = [
    "builtin_builtin_getattr",
    "builtin_builtin_len",
    "builtin_builtin_print",
    "builtin_function_reduce",
    "builtin_type_ellipsis",
    "builtin_type_exception",
    "builtin_type_none",
    "builtin_type_not_implemented",
    "builtin_type_type",
    "builtin_types_list",
    "nested_name_counter_method",
    "nested_name_twice",
    "object_partial",
];

#[test]
fn golden_plain_data_is_safe_at_every_protocol() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/corpus");
    let mut safe = 0;
    for proto in 0..=5 {
        for entry in std::fs::read_dir(corpus.join(format!("p{proto}"))).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.extension().is_none_or(|e| e != "pickle") || name.starts_with("class_") {
                continue;
            }
            let verdict = report(&std::fs::read(&path).unwrap()).verdict();
            if NAMES_FUNCTIONS.contains(&name.as_str()) {
                assert!(matches!(verdict, Verdict::Unsafe(_)), "p{proto}/{name}");
            } else {
                assert_eq!(verdict, Verdict::Safe, "p{proto}/{name}");
                safe += 1;
            }
        }
    }
    assert!(safe >= 6 * 400, "{safe}");
}

#[test]
fn stack_global_names_from_old_string_opcodes_are_read_as_python_3_reads_them() {
    // SHORT_BINSTRING 'os', SHORT_BINSTRING 'system', STACK_GLOBAL: pickle.load decodes
    // them to str (encoding='ASCII'), and STACK_GLOBAL takes them.
    let r = report(b"\x80\x04U\x02osU\x06system\x93U\x02id\x85R.");
    assert_eq!(r.error, None);
    assert_eq!(
        globals(&r),
        [(
            "STACK_GLOBAL (names from STRING opcodes)",
            "os.system",
            false
        )]
    );
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
    assert!(matches!(r.verdict(), Verdict::Unsafe(_)));
}

#[test]
fn old_strings_are_decoded_with_the_loaders_encoding() {
    use pickle_core::inspect::StringEncoding;
    // SHORT_BINSTRING 'os\xe9' (not ASCII), 'system', STACK_GLOBAL, then a call.
    let data = b"\x80\x04U\x03os\xe9U\x06system\x93U\x02id\x85R.";
    let with = |encoding| {
        let mut allow = AllowList::safe_default();
        allow.set_encoding(encoding);
        inspect(data, &Limits::UNTRUSTED, &allow)
    };
    // pickle.load's default, encoding='ASCII': UnicodeDecodeError at the string, nothing run.
    let ascii = with(StringEncoding::Ascii);
    assert!(globals(&ascii).is_empty());
    let error = ascii.error.as_ref().unwrap();
    assert_eq!(error.offset, 2);
    assert_eq!(
        error.to_string(),
        "'ascii' codec can't decode byte 0xe9 in position 2: ordinal not in range(128)"
    );
    // encoding='latin1' (NumPy's Python 2 pickles): the global 'os\xe9.system' is named.
    let latin1 = with(StringEncoding::Latin1);
    assert_eq!(
        globals(&latin1),
        [(
            "STACK_GLOBAL (names from STRING opcodes)",
            "os\u{e9}.system",
            false
        )]
    );
    // encoding='bytes': STACK_GLOBAL refuses bytes, as every loader does.
    let bytes = with(StringEncoding::Bytes);
    assert!(globals(&bytes).is_empty());
    assert!(
        matches!(bytes.verdict(), Verdict::Malformed(e) if e.contains("STACK_GLOBAL requires str"))
    );
    assert_eq!(
        StringEncoding::from_name("Latin-1"),
        Some(StringEncoding::Latin1)
    );
    assert_eq!(StringEncoding::from_name("utf-8"), None);
}

#[test]
fn a_memo_slot_overwritten_after_use_names_what_the_loader_fetches() {
    // 'json' goes to slot 0 and is used (json.dumps, allowed nowhere but harmless); then slot
    // 0 is overwritten with 'os', and the second STACK_GLOBAL fetches it: os.system. A scanner
    // that remembers the first string put in a slot sees json.system.
    let r = report(
        b"\x80\x04\x8c\x04json\x94\x8c\x05dumps\x93\x8c\x02osq\x00h\x00\x8c\x06system\x93\x8c\x02id\x85R.",
    );
    assert_eq!(r.error, None);
    let resolved: Vec<_> = r.globals.iter().map(|g| g.resolved.as_str()).collect();
    assert_eq!(resolved, ["json.dumps", "os.system"]);
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
}

#[test]
fn a_stack_global_named_by_a_call_is_unsafe_and_says_how_it_was_named() {
    // STACK_GLOBAL('os', str('system')): the name is what a call returns at load time.
    let r = report(
        b"\x80\x04\x8c\x02os\x8c\x08builtins\x8c\x03str\x93\x8c\x06system\x85R\x93\x8c\x02id\x85R.",
    );
    assert_eq!(r.error, None);
    let named = &r.globals[1];
    assert_eq!(named.opcode, "STACK_GLOBAL");
    assert!(!named.allowed);
    assert!(
        named
            .resolved
            .starts_with("a global named at load time: os.<")
            && named.resolved.contains("builtins.str"),
        "{}",
        named.resolved
    );
    assert_unsafe_with(&r, |p| p.contains("a global named at load time"));
}

#[test]
fn an_argument_across_a_frame_end_is_read_as_load_from_a_file_reads_it() {
    // FRAME(4) holds SHORT_BINUNICODE 4 and 'ab'. pickle.loads reads on across the frame's
    // end ('abcd', STOP); pickle.load(BytesIO) drops 'ab' and takes 'cd.X' from after the
    // frame, then calls os.system('echo') (CPython 3.11 and 3.13, checked).
    let data = b"\x80\x04\x95\x04\x00\x00\x00\x00\x00\x00\x00\x8c\x04abcd.X\
                 \x8c\x02os\x8c\x06system\x93\x8c\x04echo\x85R.";
    let r = report(data);
    assert_eq!(r.error, None);
    assert_eq!(r.frame_straddles, [13]);
    assert_eq!(globals(&r), [("STACK_GLOBAL", "os.system", false)]);
    assert_eq!(calls(&r), [("REDUCE", "os.system", false)]);
    assert_unsafe_with(&r, |p| {
        p.starts_with("an argument crosses a frame's end at byte 13")
    });
    // Frames that end where an opcode ends read alike: nothing to report.
    let aligned = b"\x80\x04\x95\x07\x00\x00\x00\x00\x00\x00\x00\x8c\x04abcd.";
    let r = report(aligned);
    assert!(r.frame_straddles.is_empty());
    assert_eq!(r.verdict(), Verdict::Safe);
}
