//! pickle-core's opcode table agrees, row for row, with the VM's `pickletools.opcodes`.

mod support;

use pickle_core::opcodes::{OPCODES, lookup};

const LIST_OPCODES: &str = r#"
import pickletools
for op in pickletools.opcodes:
    arg = op.arg.name if op.arg is not None else 'None'
    before = ','.join(s.name for s in op.stack_before)
    after = ','.join(s.name for s in op.stack_after)
    print(op.name, ord(op.code.encode('latin-1')), arg, before or '-', after or '-', op.proto)
"#;

#[test]
fn every_row_matches_pickletools() {
    let listing = support::python(LIST_OPCODES);
    let rows: Vec<&str> = listing.lines().collect();
    assert_eq!(
        rows.len(),
        OPCODES.len(),
        "pickletools and pickle-core list different numbers of opcodes"
    );
    for row in rows {
        let fields: Vec<&str> = row.split(' ').collect();
        let [name, code, arg, before, after, proto] = fields[..] else {
            panic!("bad row {row}")
        };
        let info = lookup(code.parse().unwrap())
            .unwrap_or_else(|| panic!("{name} missing from pickle-core"));
        let names = |kinds: &[pickle_core::opcodes::StackKind]| {
            let joined: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            if joined.is_empty() {
                "-".to_string()
            } else {
                joined.join(",")
            }
        };
        assert_eq!(info.name, name);
        assert_eq!(info.arg.name(), arg, "{name} argument");
        assert_eq!(names(info.stack_before), before, "{name} stack before");
        assert_eq!(names(info.stack_after), after, "{name} stack after");
        assert_eq!(info.proto.to_string(), proto, "{name} protocol");
    }
}
