//! Archives built here byte by byte, each with one thing `zipfile` notices; the expected
//! outcomes are what CPython 3.13's `zipfile` does with the same bytes.

use super::*;

/// A stored member to write: its name in the directory and in the local header, its flags
/// and its bytes.
struct Entry<'a> {
    name: &'a str,
    local_name: &'a str,
    flags: u16,
    data: &'a [u8],
}

fn entry<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
    Entry {
        name,
        local_name: name,
        flags: 0,
        data,
    }
}

/// `prefix`, then the members' local headers and data, the central directory, and an end
/// record with `comment`. CRCs are written as 0: nothing here checks them.
fn archive(prefix: &[u8], entries: &[Entry<'_>], comment: &[u8]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    let base = out.len();
    let mut offsets = Vec::new();
    for e in entries {
        offsets.push(out.len() - base);
        out.extend_from_slice(FILE_HEADER);
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&[0; 10]); // method, time, date, crc
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.local_name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.local_name.as_bytes());
        out.extend_from_slice(e.data);
    }
    let directory = out.len() - base;
    for (e, offset) in entries.iter().zip(&offsets) {
        out.extend_from_slice(CENTRAL_DIR);
        out.extend_from_slice(&[20, 3, 20, 0]);
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&[0; 10]); // method, time, date, crc
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]); // extra, comment, disk, internal, external
        out.extend_from_slice(&(*offset as u32).to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
    }
    let size = out.len() - base - directory;
    out.extend_from_slice(END_ARCHIVE);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out.extend_from_slice(&(directory as u32).to_le_bytes());
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out
}

#[test]
fn members_and_their_bytes_as_the_directory_lists_them() {
    let file = archive(
        b"",
        &[
            entry("archive/data.pkl", b"\x80\x02N."),
            entry("archive/version", b"3\n"),
        ],
        b"",
    );
    let zip = read(&file).unwrap();
    assert_eq!(zip.prefix, 0);
    let names: Vec<_> = zip.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["archive/data.pkl", "archive/version"]);
    assert_eq!(zip.members[0].stored_data(&file), Some(&b"\x80\x02N."[..]));
    assert_eq!(zip.members[1].stored_data(&file), Some(&b"3\n"[..]));
    assert!(zip.members.iter().all(|m| m.refusal.is_none()));
}

#[test]
fn data_before_the_archive_shifts_every_offset() {
    // A pickle with a zip appended: pickle.load reads the front, zipfile the back.
    let file = archive(b"\x80\x02cos\nsystem\n.", &[entry("x.pkl", b"N.")], b"");
    let zip = read(&file).unwrap();
    assert_eq!(zip.prefix, 14);
    assert_eq!(zip.members[0].header_offset, 14);
    assert_eq!(zip.members[0].stored_data(&file), Some(&b"N."[..]));
}

#[test]
fn the_end_record_is_found_behind_a_comment() {
    let comment = vec![b'c'; 4000];
    let file = archive(b"", &[entry("a", b"N.")], &comment);
    assert_eq!(
        read(&file).unwrap().members[0].stored_data(&file),
        Some(&b"N."[..])
    );
}

#[test]
fn what_zipfile_refuses_on_opening_is_a_finding_not_an_end() {
    let file = archive(
        b"",
        &[
            Entry {
                local_name: "other.pkl",
                ..entry("data.pkl", b"N.")
            },
            Entry {
                flags: FLAG_ENCRYPTED,
                ..entry("secret.pkl", b"N.")
            },
            Entry {
                flags: FLAG_STRONG_ENCRYPTION,
                ..entry("strong.pkl", b"N.")
            },
            Entry {
                flags: FLAG_COMPRESSED_PATCH,
                ..entry("patch.pkl", b"N.")
            },
            Entry {
                flags: FLAG_UTF8 | 0x8,
                ..entry("fine.pkl", b"N.")
            },
        ],
        b"",
    );
    let zip = read(&file).unwrap();
    let refusals: Vec<_> = zip.members.iter().map(|m| m.refusal.clone()).collect();
    assert_eq!(
        refusals,
        [
            Some("File name in directory 'data.pkl' and header b'other.pkl' differ.".to_owned()),
            Some("File 'secret.pkl' is encrypted, password required for extraction".to_owned()),
            Some("strong encryption (flag bit 6)".to_owned()),
            Some("compressed patched data (flag bit 5)".to_owned()),
            None,
        ]
    );
    // The bytes are still there for a reader that does not check (PyTorch's).
    assert!(
        zip.members
            .iter()
            .all(|m| m.stored_data(&file) == Some(&b"N."[..]))
    );
}

#[test]
fn not_a_zip_and_broken_directories_are_zipfile_errors() {
    assert_eq!(read(b"\x80\x02N.").unwrap_err().0, "File is not a zip file");
    let mut file = archive(b"", &[entry("a", b"N.")], b"");
    let directory = file.len() - END_ARCHIVE_SIZE - CENTRAL_DIR_SIZE - 1;
    file[directory] = b'X';
    assert_eq!(
        read(&file).unwrap_err().0,
        "Bad magic number for central directory"
    );
    // A directory said to start before the file does.
    let mut file = archive(b"", &[entry("a", b"N.")], b"");
    let at = file.len() - 6;
    file[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
    assert_eq!(
        read(&file).unwrap_err().0,
        "Bad offset for central directory"
    );
}

#[test]
fn a_header_offset_past_the_end_is_a_truncated_header() {
    let mut file = archive(b"", &[entry("a", b"N.")], b"");
    let at = file.len() - END_ARCHIVE_SIZE - 1 - 4;
    file[at..at + 4].copy_from_slice(&100_000u32.to_le_bytes());
    let zip = read(&file).unwrap();
    assert_eq!(
        zip.members[0].refusal.as_deref(),
        Some("Truncated file header")
    );
    assert_eq!(zip.members[0].stored_data(&file), None);
}

#[test]
fn names_in_messages_are_shown_as_python_shows_them() {
    assert_eq!(py_repr("a'b"), "\"a'b\"");
    assert_eq!(py_repr("a\\b\n"), "'a\\\\b\\n'");
}

#[test]
fn names_without_the_utf8_flag_are_code_page_437() {
    assert_eq!(cp437(b"caf\x82 \xe1"), "café ß");
}

#[test]
fn a_member_whose_data_runs_into_the_next_overlaps() {
    let mut file = archive(b"", &[entry("a", b"N."), entry("b", b"N.")], b"");
    // The first member's compressed size in the directory, made to reach into the second.
    let directory = file.len() - END_ARCHIVE_SIZE - 2 * (CENTRAL_DIR_SIZE + 1);
    file[directory + 20..directory + 24].copy_from_slice(&40u32.to_le_bytes());
    let zip = read(&file).unwrap();
    assert_eq!(
        zip.members[0].refusal.as_deref(),
        Some("Overlapped entries: 'a' (possible zip bomb)")
    );
    assert_eq!(zip.members[1].refusal, None);
}
