//! Files of each shape the container layer reads, built here.

use super::*;

fn inspect(data: &[u8]) -> FileReport {
    inspect_file(data, &Limits::UNTRUSTED, &AllowList::safe_default())
}

/// A zip of stored members, after `prefix`.
fn zip_of(prefix: &[u8], members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    let base = out.len();
    let mut offsets = Vec::new();
    for (name, data) in members {
        offsets.push((out.len() - base) as u32);
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&zlib_rs::crc32::crc32(0, data).to_le_bytes());
        for _ in 0..2 {
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
    }
    let directory = (out.len() - base) as u32;
    for ((name, data), offset) in members.iter().zip(&offsets) {
        out.extend_from_slice(b"PK\x01\x02\x14\x03\x14\x00\x00\x00");
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&zlib_rs::crc32::crc32(0, data).to_le_bytes());
        for _ in 0..2 {
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    }
    let size = (out.len() - base) as u32 - directory;
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    for _ in 0..2 {
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&directory.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn names(report: &FileReport) -> Vec<&str> {
    report.parts.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn a_pytorch_shaped_archive_is_read_member_by_member() {
    // data.pkl names its storage through a persistent id; the storage is raw bytes.
    let data_pkl =
        b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01ctorch._utils\n_rebuild_tensor_v2\nq\x02.";
    let file = zip_of(
        b"",
        &[
            ("archive/data.pkl", data_pkl),
            ("archive/data/0", &[0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]),
            ("archive/version", b"3\n"),
        ],
    );
    let report = inspect(&file);
    assert_eq!(report.format, Format::Zip);
    assert_eq!(names(&report), ["archive/data.pkl"]);
    assert_eq!(report.parts[0].offset, 30 + "archive/data.pkl".len() as u64);
    assert_eq!(
        report.parts[0].report.globals[0].resolved,
        "torch._utils._rebuild_tensor_v2"
    );
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(p) if p[0].starts_with("archive/data.pkl: global torch._utils._rebuild_tensor_v2"))
    );
}

#[test]
fn a_pickle_in_any_member_is_found_whatever_its_name() {
    let file = zip_of(
        b"",
        &[
            ("weights.bin", b"cos\nsystem\n(S'id'\ntR."),
            ("README", b"hello"),
        ],
    );
    let report = inspect(&file);
    assert_eq!(names(&report), ["weights.bin"]);
    assert_eq!(report.parts[0].report.calls[0].callable, "os.system");
}

#[test]
fn a_payload_before_a_parse_error_still_counts() {
    // The loader imports os.system before it reaches the garbage.
    let file = zip_of(b"", &[("x", b"cos\nsystem\n\xff\xff")]);
    let report = inspect(&file);
    assert_eq!(names(&report), ["x"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
}

#[test]
fn a_pickle_with_a_zip_appended_reports_both_ends() {
    let file = zip_of(b"\x80\x02cos\nsystem\n.", &[("inner.pkl", b"\x80\x02N.")]);
    let report = inspect(&file);
    assert_eq!(report.format, Format::Pickle);
    assert_eq!(names(&report), ["pickle 1", "inner.pkl"]);
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(p) if p == ["pickle 1: global os.system is not allowed"])
    );
}

#[test]
fn pickles_in_a_row_are_read_until_raw_bytes_follow() {
    // PyTorch's legacy stream: pickles one after another, then storage bytes.
    let mut file = b"\x80\x02K\x01.\x80\x02K\x02.\x80\x02cposix\nsystem\n.".to_vec();
    file.extend_from_slice(&[1, 2, 3, 4]);
    let report = inspect(&file);
    assert_eq!(names(&report), ["pickle 1", "pickle 2", "pickle 3"]);
    assert_eq!(report.parts[2].offset, 10);
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(p) if p == ["pickle 3: global posix.system is not allowed"])
    );
    let safe = inspect(b"\x80\x02K\x01.\x80\x02K\x02.");
    assert_eq!(safe.verdict(), Verdict::Safe);
}

#[test]
fn a_member_zipfile_refuses_makes_the_file_not_safe() {
    let mut file = zip_of(b"", &[("a.pkl", b"\x80\x02N.")]);
    // The local header's name differs from the directory's.
    file[30] = b'b';
    let report = inspect(&file);
    assert_eq!(names(&report), ["a.pkl"]);
    assert_eq!(
        report.verdict(),
        Verdict::Malformed(
            "a.pkl: zipfile refuses it: File name in directory 'a.pkl' and header b'b.pkl' differ."
                .into()
        )
    );
}

#[test]
fn zstd_frames_are_inspected_decompressed() {
    // "cos\nsystem\n." compressed by the zstandard package; two frames in a row; cut short.
    let frame = b"(\xb5/\xfd \x0ca\x00\x00cos\nsystem\n.";
    let report = inspect(frame);
    assert_eq!(report.format, Format::Compressed(unpack::Codec::Zstd));
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(_)),
        "{}",
        report.to_text()
    );
    let two = [&frame[..], &frame[..]].concat();
    assert_eq!(
        unpack::unpack(unpack::Codec::Zstd, &two, 100).unwrap(),
        b"cos\nsystem\n.cos\nsystem\n."
    );
    assert!(matches!(
        inspect(&frame[..8]).verdict(),
        Verdict::Malformed(_)
    ));
}

fn npy(descr: &str, data: &[u8]) -> Vec<u8> {
    let header = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}\n");
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn an_object_array_is_a_pickle_and_a_numeric_one_is_not() {
    let evil = npy("'|O'", b"\x80\x03cposix\nsystem\n.");
    let report = inspect(&evil);
    assert_eq!(report.format, Format::Npy);
    assert_eq!(names(&report), ["array (object array)"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    // A numeric array whose numbers happen to spell a payload is not unpickled by numpy.
    let numbers = npy("'<f4'", b"cposix\nsystem\n.");
    assert_eq!(inspect(&numbers).verdict(), Verdict::Safe);
    // In an .npz the member is named.
    let npz = zip_of(b"", &[("arr_0.npy", &numbers), ("arr_1.npy", &evil)]);
    let report = inspect(&npz);
    assert_eq!(names(&report), ["arr_1.npy (object array)"]);
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(p) if p[0].starts_with("arr_1.npy (object array): global posix.system"))
    );
}

#[test]
fn pickles_handed_to_loading_functions_are_inspected_as_parts() {
    // pickle.loads(b"...os.system...") at protocol 2, and torch.load(io.BytesIO(b"...")) at 0.
    let inner = b"\x80\x02cposix\nsystem\nq\x00.";
    let mut outer = b"\x80\x02cpickle\nloads\nC".to_vec();
    outer.push(inner.len() as u8);
    outer.extend_from_slice(inner);
    outer.extend_from_slice(b"\x85R.");
    let report = inspect(&outer);
    assert_eq!(
        names(&report),
        ["pickle 1", "pickle 1 > pickle.loads argument"]
    );
    assert_eq!(report.parts[1].report.globals[0].resolved, "posix.system");
    let wrapped = b"ctorch\nload\n(cio\nBytesIO\n(S'N.'\ntRtR.";
    let report = inspect(wrapped);
    assert_eq!(
        names(&report),
        ["pickle 1", "pickle 1 > torch.load argument"]
    );
    assert_eq!(report.parts[1].report.error, None);
    // Nesting is followed only so deep.
    let mut deep = b"N.".to_vec();
    for _ in 0..12 {
        let mut next = b"\x80\x02c_pickle\nloads\nB".to_vec();
        next.extend_from_slice(&(deep.len() as u32).to_le_bytes());
        next.extend_from_slice(&deep);
        next.extend_from_slice(b"\x85R.");
        deep = next;
    }
    let report = inspect(&deep);
    assert_eq!(report.parts.len(), 9);
    assert!(report.findings[0].ends_with("pickles nested deeper than 8 are not followed"));
}

#[test]
fn a_gzip_or_zlib_stream_is_inspected_inflated() {
    // "cos\nsystem\n." compressed by Python's gzip (mtime 0) and zlib modules.
    let gzip = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03K\xce/\xe6*\xae,.I\xcd\xe5\xd2\x03\x00\x80.`\xdf\x0c\x00\x00\x00";
    let report = inspect(gzip);
    assert_eq!(report.format, Format::Compressed(unpack::Codec::Gzip));
    assert_eq!(names(&report), ["pickle 1"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    let zlib = b"x\x9cK\xce/\xe6*\xae,.I\xcd\xe5\xd2\x03\x00\x1dG\x04-";
    assert_eq!(
        inspect(zlib).format,
        Format::Compressed(unpack::Codec::Zlib)
    );
    assert!(matches!(inspect(zlib).verdict(), Verdict::Unsafe(_)));
    // Cut short: nothing can be said, so not safe.
    assert!(matches!(
        inspect(&gzip[..15]).verdict(),
        Verdict::Malformed(_)
    ));
}

#[test]
fn a_protocol_0_pickle_that_begins_like_a_zlib_header_is_read_as_a_pickle() {
    // MARK then STRING is `(S`, a valid zlib header (0x2853 is a multiple of 31); zlib cannot
    // inflate what follows, pickle.load reads it.
    let dangerous = b"(S'echo hi'\nios\nsystem\n.";
    let report = inspect(dangerous);
    assert_eq!(names(&report), ["as a pickle: pickle 1"]);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let Verdict::Unsafe(problems) = report.verdict() else {
        panic!("{:?}", report.verdict());
    };
    assert!(problems[0].contains("os.system"), "{problems:?}");
    let benign = b"(S'abc'\nS'def'\nt.";
    assert!(matches!(inspect(benign).verdict(), Verdict::Safe));
    // Neither a zlib stream nor a pickle: malformed, the zlib reading said why.
    let neither = b"(S\xff\xff\xff";
    let Verdict::Malformed(why) = inspect(neither).verdict() else {
        panic!("{:?}", inspect(neither).verdict());
    };
    assert!(why.starts_with("zlib: "), "{why}");
}

#[test]
fn a_bad_crc_is_reported_and_the_member_still_inspected() {
    let mut file = zip_of(b"", &[("a.pkl", b"cos\nsystem\n.")]);
    let directory = file.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    file[directory + 16] ^= 0xff;
    let report = inspect(&file);
    assert_eq!(report.findings, ["a.pkl: Bad CRC-32 for file 'a.pkl'"]);
    // The loader reads the payload before zipfile notices.
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
}

#[test]
fn tensor_bytes_that_start_like_a_pickle_are_data() {
    // Floats whose first byte is PROTO's, and one whose bytes read "\x80\x02" then garbage.
    let file = zip_of(
        b"",
        &[
            ("archive/data.pkl", b"\x80\x02}q\x00."),
            ("archive/data/0", &[0x80, 0x3f, 0, 0]),
            ("archive/data/1", &[0x80, 0x02, 0xff, 0xee]),
        ],
    );
    let report = inspect(&file);
    assert_eq!(names(&report), ["archive/data.pkl"]);
    assert_eq!(report.verdict(), Verdict::Safe);
}

#[test]
fn raw_bytes_after_pickles_in_a_row_are_data_even_when_they_start_with_proto() {
    let mut file = b"\x80\x02K\x01.\x80\x02K\x02.".to_vec();
    file.extend_from_slice(&[0x80, 0x02, 0xff, 0xee, 1, 2, 3]);
    let report = inspect(&file);
    assert_eq!(names(&report), ["pickle 1", "pickle 2"]);
    assert_eq!(report.verdict(), Verdict::Safe);
}

#[test]
fn bzip2_and_xz_streams_are_inspected_decompressed() {
    // "cos\nsystem\n." compressed by Python's bz2 and lzma modules.
    let bz2 = b"BZh91AY&SY\xd8\xcfk\x0e\x00\x00\x01\xd1\x80\x00\x10\x00\x01\n\x02\x8c  \x001\x06LA\x00\xdaF\x97\x8c\x1f\x0e<]\xc9\x14\xe1BCc=\xac8";
    let report = inspect(bz2);
    assert_eq!(report.format, Format::Compressed(unpack::Codec::Bzip2));
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(_)),
        "{}",
        report.to_text()
    );
    let xz = b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F\x02\x00!\x01\x16\x00\x00\x00t/\xe5\xa3\x01\x00\x0bcos\nsystem\n.\x00X\xf7\x87!x\xe0\xc6\xb8\x00\x01$\x0c\xa6\x18\xd8\xd8\x1f\xb6\xf3}\x01\x00\x00\x00\x00\x04YZ";
    let report = inspect(xz);
    assert_eq!(report.format, Format::Compressed(unpack::Codec::Xz));
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(_)),
        "{}",
        report.to_text()
    );
}

/// `os.system('id')` at protocol 0, and a pickle of None.
const PAYLOAD: &[u8] = b"cos\nsystem\n(S'id'\ntR.";
const BENIGN: &[u8] = b"\x80\x02N.";

fn zlib_of(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0; zlib_rs::compress_bound(data.len())];
    let (compressed, _) = zlib_rs::compress_slice(&mut out, data, Default::default());
    compressed.to_vec()
}

#[test]
fn a_zip_inside_a_member_is_opened_and_its_members_judged() {
    let inner = zip_of(b"", &[("data.pkl", PAYLOAD)]);
    let file = zip_of(
        b"",
        &[("archive/data.pkl", BENIGN), ("archive/extra/0", &inner)],
    );
    let report = inspect(&file);
    assert_eq!(
        names(&report),
        ["archive/data.pkl", "archive/extra/0 > data.pkl"]
    );
    let Verdict::Unsafe(problems) = report.verdict() else {
        panic!("{}", report.to_text());
    };
    assert!(
        problems[0].starts_with("archive/extra/0 > data.pkl: global os.system"),
        "{problems:?}"
    );
    // The part's offset is in the outer file: the inner member's data.
    let at = report.parts[1].offset as usize;
    assert_eq!(&file[at..at + PAYLOAD.len()], PAYLOAD);
    let benign = zip_of(b"", &[("a.zip", &zip_of(b"", &[("b.pkl", BENIGN)]))]);
    assert_eq!(inspect(&benign).verdict(), Verdict::Safe);
}

#[test]
fn a_compressed_member_is_opened_and_a_member_that_only_looks_compressed_is_data() {
    let file = zip_of(b"", &[("model.pkl.z", &zlib_of(PAYLOAD))]);
    let report = inspect(&file);
    assert_eq!(names(&report), ["model.pkl.z > pickle 1"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    // Tensor bytes that begin like a zlib header and inflate to nothing: data, as before.
    let file = zip_of(
        b"",
        &[
            ("archive/data.pkl", BENIGN),
            ("archive/data/0", b"x\x9c\xff\xff\xff"),
        ],
    );
    let report = inspect(&file);
    assert_eq!(report.verdict(), Verdict::Safe, "{}", report.to_text());
}

#[test]
fn archives_nested_past_the_limit_are_not_safe() {
    let mut file = zip_of(b"", &[("data.pkl", BENIGN)]);
    for depth in 0..=MAX_LAYERS {
        file = zip_of(b"", &[(&format!("level{depth}.zip"), &file)]);
    }
    // The innermost zip is one layer too deep.
    let report = inspect(&file);
    assert!(report.parts.is_empty(), "{}", report.to_text());
    let Verdict::Malformed(why) = report.verdict() else {
        panic!("{}", report.to_text());
    };
    assert!(
        why.ends_with("level0.zip: a zip in more than 4 layers of archives and compressed streams is not opened"),
        "{why}"
    );
    // One layer less is read through.
    let mut file = zip_of(b"", &[("data.pkl", PAYLOAD)]);
    for depth in 0..MAX_LAYERS {
        file = zip_of(b"", &[(&format!("level{depth}.zip"), &file)]);
    }
    assert!(matches!(inspect(&file).verdict(), Verdict::Unsafe(_)));
}

#[test]
fn a_name_listed_twice_has_every_copy_judged_and_noted() {
    // zipfile opens the last entry of a name; a scanner that stops at the first sees the
    // benign one.
    let file = zip_of(b"", &[("data.pkl", BENIGN), ("data.pkl", PAYLOAD)]);
    let report = inspect(&file);
    assert_eq!(names(&report), ["data.pkl", "data.pkl"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    assert_eq!(report.notes.len(), 1);
    assert!(
        report.notes[0].starts_with(
            "'data.pkl' is listed 2 times (at bytes 0, 42): Python opens the last, at byte 42"
        ),
        "{:?}",
        report.notes
    );
    assert!(
        report
            .to_text()
            .contains("notes:\n  'data.pkl' is listed 2 times")
    );
}

#[test]
fn an_archive_zipfile_does_not_read_is_judged_and_noted() {
    // Two archives in a row: zipfile reads the last, a reader walking local headers from the
    // front reads the first.
    let first = zip_of(b"", &[("data.pkl", PAYLOAD)]);
    let file = zip_of(&first, &[("data.pkl", BENIGN)]);
    assert_eq!(zip::read(&file).unwrap().prefix, first.len() as u64);
    let report = inspect(&file);
    let hidden = format!("archive ending at byte {} > data.pkl", first.len() - 22);
    assert_eq!(names(&report), ["data.pkl", hidden.as_str()]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(report.notes[0].starts_with("another archive, whose end record is at byte"));
    // Two end records: the last lists only the benign entry (its directory entry takes the
    // first end record as its comment), the first lists both. zipfile reads the last; a
    // reader that checks the comment's length reads the first.
    let mut file = zip_of(b"", &[("a.pkl", PAYLOAD), ("b.pkl", BENIGN)]);
    let end = file.len() - 22;
    let second = file.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    let mut last = file[end..].to_vec();
    last[8..10].copy_from_slice(&1u16.to_le_bytes());
    last[10..12].copy_from_slice(&1u16.to_le_bytes());
    last[12..16].copy_from_slice(&((end + 22 - second) as u32).to_le_bytes());
    last[16..20].copy_from_slice(&(second as u32).to_le_bytes());
    file[second + 32..second + 34].copy_from_slice(&22u16.to_le_bytes());
    file[end + 20..end + 22].copy_from_slice(&22u16.to_le_bytes());
    file.extend_from_slice(&last);
    let archive = zip::read(&file).unwrap();
    let listed: Vec<_> = archive.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(listed, ["b.pkl"], "zipfile reads the last end record");
    let report = inspect(&file);
    assert_eq!(
        names(&report),
        ["b.pkl", &format!("archive ending at byte {end} > a.pkl")]
    );
    assert!(
        matches!(report.verdict(), Verdict::Unsafe(_)),
        "{}",
        report.to_text()
    );
}

#[test]
fn a_stream_that_breaks_after_a_payload_is_unsafe_not_only_malformed() {
    // pickle.load(zlib/gzip reader) runs the payload before the stream's end is read.
    let mut data = PAYLOAD.to_vec();
    data.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let compressed = zlib_of(&data);
    let cut = &compressed[..compressed.len() / 2];
    let report = inspect(cut);
    let Verdict::Unsafe(_) = report.verdict() else {
        panic!("{}", report.to_text());
    };
    assert!(
        report.findings[0]
            .starts_with("zlib: compressed data ended before the end of the stream (the "),
        "{:?}",
        report.findings
    );
}

#[test]
fn entries_sharing_one_local_header_are_read_once() {
    // 1,000 directory entries for one local header: zipfile refuses all but the last as
    // overlapping; a reader that does not check reads the same payload 1,000 times, and
    // nested the same way, 1,000 times 1,000 at every layer.
    let single = zip_of(b"", &[("data.pkl", PAYLOAD)]);
    let directory = single.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let end = single.len() - 22;
    let entry = &single[directory..end];
    let mut file = single[..directory].to_vec();
    for _ in 0..1000 {
        file.extend_from_slice(entry);
    }
    let mut record = single[end..].to_vec();
    record[8..10].copy_from_slice(&1000u16.to_le_bytes());
    record[10..12].copy_from_slice(&1000u16.to_le_bytes());
    record[12..16].copy_from_slice(&((entry.len() * 1000) as u32).to_le_bytes());
    file.extend_from_slice(&record);
    let report = inspect(&file);
    assert_eq!(names(&report), ["data.pkl"]);
    assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("999 entries are another entry's bytes")),
        "{:?}",
        report.notes
    );
}

#[test]
fn members_past_the_budget_are_not_inspected_and_not_safe() {
    let names: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("m{i}")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"N."[..])).collect();
    let report = inspect(&zip_of(b"", &members));
    assert_eq!(report.parts.len(), MAX_MEMBERS);
    let Verdict::Malformed(why) = report.verdict() else {
        panic!("{:?}", report.verdict());
    };
    assert!(
        why.contains(&format!(
            "m{MAX_MEMBERS} and the members after it: more than {MAX_MEMBERS}"
        )),
        "{why}"
    );
}

#[test]
fn what_one_file_decompresses_in_all_is_bounded() {
    // Each member inflates to 1,000 bytes; a file may inflate 16 times the memory limit in
    // all, here 16,000 bytes: the 17th member is not read, and the file is not safe.
    let mut inflated = b"N.".to_vec();
    inflated.resize(1000, b' ');
    let stream = zlib_of(&inflated);
    let names: Vec<String> = (0..20).map(|i| format!("m{i}.z")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &stream[..])).collect();
    let limits = Limits {
        max_memory: 1000,
        ..Limits::UNTRUSTED
    };
    let report = inspect_file(&zip_of(b"", &members), &limits, &AllowList::safe_default());
    assert_eq!(report.parts.len(), 16);
    let Verdict::Malformed(why) = report.verdict() else {
        panic!("{:?}", report.verdict());
    };
    assert!(
        why.starts_with("m16.z > zlib: inflates to more than the 0 bytes inspected"),
        "{why}"
    );
    // Under the bound, every member is read.
    let few = zip_of(b"", &members[..16]);
    assert_eq!(
        inspect_file(&few, &limits, &AllowList::safe_default()).verdict(),
        Verdict::Safe
    );
}
