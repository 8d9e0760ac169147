//! Headers built here; the corpus (tests/containers) has archives Python's tarfile wrote in
//! each of its formats.

use super::*;

/// A ustar header for a regular file `name` of `size` bytes, with a valid checksum.
fn header(name: &str, size: usize, typeflag: u8) -> Vec<u8> {
    let mut h = vec![0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    h[156] = typeflag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        out.extend(header(name, data.len(), b'0'));
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    out
}

#[test]
fn regular_files_with_their_data() {
    let file = archive(&[("pickle", b"\x80\x02N."), ("storages", &[1, 2, 3])]);
    let tar = read(&file);
    assert_eq!(tar.error, None);
    let listed: Vec<_> = tar
        .members
        .iter()
        .map(|m| (m.name.as_str(), &file[m.offset..m.offset + m.size]))
        .collect();
    assert_eq!(
        listed,
        [("pickle", &b"\x80\x02N."[..]), ("storages", &[1, 2, 3][..])]
    );
}

#[test]
fn a_bad_checksum_or_a_short_member_ends_the_listing() {
    let mut file = archive(&[("a", b"N."), ("b", b"N.")]);
    file[BLOCK * 2] ^= 1; // b's header
    let tar = read(&file);
    assert_eq!(tar.members.len(), 1);
    assert_eq!(
        tar.error.as_deref(),
        Some("bad checksum in the header at byte 1024")
    );
    let file = archive(&[("a", &[7; 600])]);
    let tar = read(&file[..700]);
    assert_eq!(
        tar.error.as_deref(),
        Some("unexpected end of data in the member at byte 0")
    );
}

#[test]
fn sizes_and_pax_records_as_tarfile_reads_them() {
    assert_eq!(number(b"00000000017 "), Some(15));
    assert_eq!(
        number(b"\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00"),
        Some(256)
    );
    assert_eq!(number(b"  \0"), Some(0));
    assert_eq!(number(b"9"), None);
    assert_eq!(
        pax_records(b"12 mtime=10\n18 path=x/y/z.pkl\n\0\0"),
        Some(vec![
            (b"mtime".to_vec(), b"10".to_vec()),
            (b"path".to_vec(), b"x/y/z.pkl".to_vec())
        ])
    );
    assert_eq!(pax_records(b"99 path=x\n"), None);
    assert_eq!(pax_records(b"8 =abc\n"), None);
    assert_eq!(pax_records(b"+9 path=x\n"), None);
}

#[test]
fn pax_values_as_tarfile_applies_them() {
    // tarfile 3.11 and 3.13: a size that is not a number is 0, a path loses trailing slashes.
    let mut file = pax(b'x', "12 size=abc\n16 path=dir/a//\n");
    file.extend(header("other", 2, b'0'));
    file.extend_from_slice(b"N.");
    file.resize(file.len().div_ceil(BLOCK) * BLOCK + 2 * BLOCK, 0);
    let tar = read(&file);
    let listed: Vec<_> = tar
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.size))
        .collect();
    assert_eq!(listed, [("dir/a", 0)]);
}

/// A PAX header (`typeflag`) with `records`, padded.
fn pax(typeflag: u8, records: &str) -> Vec<u8> {
    let mut out = header("pax", records.len(), typeflag);
    out.extend_from_slice(records.as_bytes());
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    out
}

#[test]
fn a_pax_size_overrides_the_header_as_tarfile_reads_it() {
    // The member's header says 0 bytes; its PAX header says 12, and tarfile reads 12: read by
    // the header, the data would be taken for the next header (a bad checksum).
    let payload = b"cos\nsystem\n.";
    let mut file = pax(b'x', "11 size=12\n17 path=data.pkl\n");
    file.extend(header("other", 0, b'0'));
    file.extend_from_slice(payload);
    file.resize(file.len().div_ceil(BLOCK) * BLOCK + 2 * BLOCK, 0);
    let tar = read(&file);
    assert_eq!(tar.error, None);
    assert_eq!(tar.members.len(), 1);
    let member = &tar.members[0];
    assert_eq!(member.name, "data.pkl");
    assert_eq!(&file[member.offset..member.offset + member.size], payload);
}

#[test]
fn global_pax_records_reach_every_member_after_them() {
    let mut file = pax(b'g', "19 path=global.pkl\n");
    file.extend(header("plain", 2, b'0'));
    file.extend_from_slice(b"N.");
    file.resize(file.len().div_ceil(BLOCK) * BLOCK, 0);
    file.extend(pax(b'x', "12 mtime=10\n"));
    file.extend(header("patched", 2, b'0'));
    file.extend_from_slice(b"N.");
    file.resize(file.len().div_ceil(BLOCK) * BLOCK + 2 * BLOCK, 0);
    let names: Vec<_> = read(&file).members.into_iter().map(|m| m.name).collect();
    // tarfile 3.11 and 3.13: ['global.pkl', 'global.pkl'].
    assert_eq!(names, ["global.pkl", "global.pkl"]);
}
