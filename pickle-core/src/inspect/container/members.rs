//! The members of zip and tar archives: each inspected as a pickle when it could be one, as an
//! array when it is one, and opened as a file of its own when it is an archive or a
//! compressed stream itself (a zip inside a checkpoint's member, a `.tar.gz` in a zip...), up
//! to [`MAX_LAYERS`] layers. What readers of one archive could see differently (members
//! listed twice under one name, archives `zipfile` does not read beside the one it reads) is
//! inspected too, and noted.

use super::{
    FileReport, Format, Part, Reading, counts_as_pickle, inspect_nested_file, more_pickles,
    push_part, sniff,
};
use crate::inspect::{inspect_at, npy, tar, unpack, zip};
use std::collections::{HashMap, HashSet};

/// Every member of the archive `zipfile` reads, then those of the archives it does not read
/// (see [`zip::hidden_archives`]) that are not the same entries.
pub(super) fn zip_members(
    data: &[u8],
    archive: &zip::Archive,
    reading: Reading,
    out: &mut FileReport,
) {
    torchscript(archive, out);
    duplicate_names(
        archive.members.iter().map(|m| (&m.name, m.header_offset)),
        out,
    );
    // Entries whose bytes are another entry's (one local header, the same sizes and method)
    // are read once, in this archive and in the hidden ones: shared entries nested in shared
    // entries would multiply at every layer.
    let mut read: HashSet<(u64, u64, u64, u16)> = HashSet::new();
    let mut first_read =
        |m: &zip::Member| read.insert((m.header_offset, m.compressed_size, m.size, m.method));
    let mut shared = 0;
    let first_part = out.parts.len();
    for member in &archive.members {
        if !first_read(member) {
            shared += 1;
            continue;
        }
        zip_member(data, member, &member.name, reading, out);
    }
    if shared > 0 {
        out.notes.push(format!(
            "{shared} entries are another entry's bytes (one local header): each is inspected once"
        ));
    }
    if reading.allow.torch_rules() {
        storage_records(archive, &mut out.parts[first_part..]);
    }
    for hidden in zip::hidden_archives(data, archive) {
        out.notes.push(format!(
            "another archive, whose end record is at byte {}, lists {} members; zipfile reads only the one ending at byte {}: every member of both is inspected",
            hidden.end_offset,
            hidden.members.len(),
            archive.end_offset
        ));
        for member in &hidden.members {
            if first_read(member) {
                let name = format!(
                    "archive ending at byte {} > {}",
                    hidden.end_offset, member.name
                );
                zip_member(data, member, &name, reading, out);
            }
        }
    }
}

/// Names listed more than once: `zipfile` opens the last entry of a name (`tarfile` the last
/// member), a reader that stops at the first opens another. Each copy is inspected; the note
/// says so.
fn duplicate_names<'a>(entries: impl Iterator<Item = (&'a String, u64)>, out: &mut FileReport) {
    let mut offsets: HashMap<&str, Vec<u64>> = HashMap::new();
    let mut order = Vec::new();
    for (name, offset) in entries {
        let list = offsets.entry(name.as_str()).or_default();
        if list.is_empty() {
            order.push(name.as_str());
        }
        list.push(offset);
    }
    for name in order {
        let list = &offsets[name];
        if let [.., last] = list.as_slice()
            && list.len() > 1
        {
            out.notes.push(format!(
                "{} is listed {} times (at bytes {}): Python opens the last, at byte {last}, another reader may open the first; every copy is inspected",
                zip::py_repr(name),
                list.len(),
                list.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
    }
}

/// One zip entry: refused or not, its bytes as `zipfile` hands them out, inspected.
fn zip_member(
    data: &[u8],
    member: &zip::Member,
    name: &str,
    reading: Reading,
    out: &mut FileReport,
) {
    if let Some(refusal) = &member.refusal {
        out.findings
            .push(format!("{name}: zipfile refuses it: {refusal}"));
    }
    let Some(offset) = member.data_offset else {
        return;
    };
    let bytes = match member.data(data, reading.room()) {
        Ok(bytes) => {
            if let std::borrow::Cow::Owned(made) = &bytes {
                reading.spend(made.len());
            }
            bytes
        }
        Err(e) => {
            out.findings.push(format!("{name}: {e}"));
            return;
        }
    };
    let parts_before = out.parts.len();
    member_bytes(name, &bytes, offset, reading, out);
    // zipfile checks the CRC when the reader reaches the end of the member: after
    // pickle.load has read what it needed. Only members read as pickles are summed, so that
    // tensor data is not read at all.
    if out.parts.len() > parts_before && zlib_rs::crc32::crc32(0, &bytes) != member.crc {
        out.findings.push(format!(
            "{name}: Bad CRC-32 for file {}",
            zip::py_repr(&member.name)
        ));
    }
}

/// `torch.load` reads each tensor's storage from the record `DIR/data/KEY` of the checkpoint
/// whose `DIR/data.pkl` names it, and refuses a record whose size is not the element count
/// the persistent id gives times the element size (pytorch/pytorch#170085): a mismatch, or
/// a record that is missing, is noted on the `data.pkl` part as a refusal.
fn storage_records(archive: &zip::Archive, parts: &mut [Part]) {
    for part in parts {
        let Some(dir) = part.name.strip_suffix("data.pkl") else {
            continue;
        };
        let mut refused = Vec::new();
        for tensor in &part.report.tensors {
            let (Some(numel), Some(size)) = (tensor.storage_numel, tensor.element_size()) else {
                continue;
            };
            let record = format!("{dir}data/{}", tensor.storage_key);
            let want = numel.saturating_mul(size);
            let refusal = match archive.members.iter().find(|m| m.name == record) {
                None => format!(
                    "storage {} has no record {record}: torch.load refuses the checkpoint",
                    tensor.storage_key
                ),
                Some(m) if m.size != want => format!(
                    "storage {} is {numel} {} elements ({want} bytes) and its record {record} holds {}: torch.load refuses a record of another size",
                    tensor.storage_key, tensor.dtype, m.size
                ),
                Some(_) => continue,
            };
            if !refused.contains(&refusal) {
                refused.push(refusal);
            }
        }
        part.report.refused.extend(refused);
    }
}

/// A TorchScript archive (`torch.jit.save`), recognised as `torch.load` recognises one: a
/// `constants.pkl` record. `torch.load` hands it to `torch.jit.load`, which compiles and runs
/// its `code/` (with `weights_only=True` it refuses the archive since PyTorch 2.6: the
/// hand-over was CVE-2025-32434); unsafe under every profile.
fn torchscript(archive: &zip::Archive, out: &mut FileReport) {
    let in_top_dir = |m: &zip::Member, what: &str| {
        m.name
            .split_once('/')
            .is_some_and(|(_, rest)| rest.starts_with(what))
    };
    let constants = archive
        .members
        .iter()
        .any(|m| in_top_dir(m, "constants.pkl"));
    let code: Vec<_> = archive
        .members
        .iter()
        .filter(|m| in_top_dir(m, "code/"))
        .collect();
    if !constants {
        return;
    }
    out.code.push(match code.first() {
        Some(first) => format!(
            "a TorchScript archive: torch.jit.load runs its code (code/ has {} members, {} first)",
            code.len(),
            first.name
        ),
        None => "a TorchScript archive (a constants.pkl record, no code/): torch.load hands it to torch.jit.load, or with weights_only=True refuses it".to_string(),
    });
}

/// Every regular file of a tar archive that could be a pickle, as for zip members.
pub(super) fn tar_members(data: &[u8], reading: Reading, out: &mut FileReport) {
    let archive = tar::read(data);
    if let Some(error) = &archive.error {
        out.findings.push(format!("tar: {error}"));
    }
    duplicate_names(
        archive.members.iter().map(|m| (&m.name, m.offset as u64)),
        out,
    );
    for member in &archive.members {
        let stored = &data[member.offset..member.offset + member.size];
        // A sparse file as tarfile hands it out: its chunks in place, zeros between (up to
        // the memory limit: a pickle cut there fails to read, which is not safe).
        let expanded;
        let bytes = match &member.sparse {
            None => stored,
            Some(map) => match map.expand(stored, reading.room()) {
                Ok(bytes) => {
                    reading.spend(bytes.len());
                    expanded = bytes;
                    &expanded[..]
                }
                Err(e) => {
                    out.findings.push(format!("{}: {e}", member.name));
                    continue;
                }
            },
        };
        member_bytes(&member.name, bytes, member.offset as u64, reading, out);
    }
}

/// A member of an archive, whatever the archive: an array; an archive or compressed stream,
/// opened; or a pickle if it could be one, with the pickles right after it (PyTorch's legacy
/// `storages` and `tensors` files are pickles followed by raw data), named `NAME #2` and on,
/// and a zip after them if one ends the member.
fn member_bytes(name: &str, bytes: &[u8], offset: u64, reading: Reading, out: &mut FileReport) {
    if !reading.take_member(name, out) {
        return;
    }
    if bytes.starts_with(npy::MAGIC) {
        npy_array(name, bytes, offset, reading, out);
        return;
    }
    if nested_file(name, bytes, offset, reading, out) {
        return;
    }
    let Reading { limits, allow, .. } = reading;
    let (report, end) = inspect_at(bytes, limits, allow);
    if !counts_as_pickle(&report) || bytes.is_empty() {
        return;
    }
    let first = Part {
        name: name.to_string(),
        offset,
        report,
    };
    more_pickles(
        first,
        bytes,
        end,
        |n| format!("{name} #{n}"),
        limits,
        allow,
        out,
    );
    if let Ok(archive) = zip::read(bytes)
        && reading.can_open(name, Format::Zip, out)
    {
        let mut inner = FileReport::empty(Format::Zip);
        zip_members(bytes, &archive, reading.inner(), &mut inner);
        add_nested(out, name, offset, inner);
    }
}

/// A member that is an archive or a compressed stream, read as a file of its own (which also
/// reads it as a pickle), its parts named `NAME > PART`. False, having added nothing, when the
/// member is none of these: a compressed stream is one only when it gives at least a byte
/// (tensor bytes can start like a zlib header; a stream that gives nothing runs nothing).
fn nested_file(
    name: &str,
    bytes: &[u8],
    offset: u64,
    reading: Reading,
    out: &mut FileReport,
) -> bool {
    let format = sniff(bytes);
    match format {
        Format::Pickle | Format::Npy => return false,
        Format::Compressed(codec) => {
            let gives_a_byte = match unpack::unpack(codec, bytes, 1) {
                Ok(data) => !data.is_empty(),
                Err(partial) => !partial.data.is_empty(),
            };
            if !gives_a_byte {
                return false;
            }
        }
        Format::Zip | Format::Tar => {}
    }
    if !reading.can_open(name, format, out) {
        return false;
    }
    let inner = inspect_nested_file(bytes, reading.inner());
    add_nested(out, name, offset, inner);
    true
}

/// What was found inside the member `name` (at `offset`), under its name.
fn add_nested(out: &mut FileReport, name: &str, offset: u64, inner: FileReport) {
    for mut part in inner.parts {
        part.name = format!("{name} > {}", part.name);
        part.offset += offset;
        out.parts.push(part);
    }
    let under = |items: Vec<String>| items.into_iter().map(move |i| format!("{name} > {i}"));
    out.findings.extend(under(inner.findings));
    out.code.extend(under(inner.code));
    out.notes.extend(under(inner.notes));
}

/// A `.npy` array at `offset` of the file: its data inspected as a pickle when the dtype
/// holds objects (what `numpy.load(..., allow_pickle=True)` unpickles), else nothing to see.
pub(super) fn npy_array(
    name: &str,
    bytes: &[u8],
    offset: u64,
    reading: Reading,
    out: &mut FileReport,
) {
    let Reading { limits, allow, .. } = reading;
    match npy::header(bytes) {
        Ok(header) if header.has_object => {
            let (report, _) = inspect_at(&bytes[header.data_offset..], limits, allow);
            let part = Part {
                name: format!("{name} (object array)"),
                offset: offset + header.data_offset as u64,
                report,
            };
            push_part(out, part, limits, allow, 0);
        }
        Ok(_) => {}
        Err(e) => out
            .findings
            .push(format!("{name}: not an array numpy reads: {e}")),
    }
}
