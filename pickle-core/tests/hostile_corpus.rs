//! The hostile corpus (tests/hostile/corpus): loaded with `Limits::UNTRUSTED`, every file ends
//! in a clear error or a graph, never a panic, and peak memory stays under 64 MiB while it is
//! loaded, written back, rendered as JSON, inspected and optimized.

mod support;

use support::{Counting, peak_during};

use pickle_core::ErrorKind;
use pickle_core::decoder::Limits;
use pickle_core::disasm::optimize;
use pickle_core::inspect::{AllowList, inspect};
use pickle_core::value::{from_slice, to_json, to_vec};
#[global_allocator]
static COUNTING: Counting = Counting;

const LIMIT: usize = 64 << 20;

#[test]
fn every_hostile_pickle_fails_cleanly_within_64_mib() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 45, "{} files", names.len());
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();
        let (kind, used) = peak_during(|| {
            let result = from_slice(&data, &Limits::UNTRUSTED);
            if let Ok(pickle) = &result {
                for proto in 0..=5 {
                    let _ = to_vec(pickle, proto);
                }
                let _ = to_json(pickle);
            }
            let report = inspect(&data, &Limits::UNTRUSTED, &AllowList::safe_default());
            let _ = report.to_text();
            let _ = optimize(&data);
            result.err().map(|e| *e.kind)
        });
        assert!(used < LIMIT, "{name}: {used} bytes at peak");
        if name.starts_with("claim_") {
            assert!(
                matches!(kind, Some(ErrorKind::Truncated | ErrorKind::FrameTooLarge)),
                "{name}: {kind:?}"
            );
        }
        if matches!(name.as_str(), "marks_100000" | "million_lists") {
            assert!(
                matches!(kind, Some(ErrorKind::LimitExceeded(_))),
                "{name}: {kind:?}"
            );
        }
    }
}
