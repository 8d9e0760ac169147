//! Reading a tar archive (PyTorch's legacy checkpoints are one: `sys_info`, `pickle`,
//! `tensors`, `storages`) as Python's `tarfile` lists it: 512-byte headers with octal (or
//! base-256) sizes and a checked checksum, ustar name prefixes, GNU long names (`L`) and PAX
//! `path` records (`x`), data padded to 512 bytes, two empty blocks at the end.

const BLOCK: usize = 512;

/// One regular file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its path.
    pub name: String,
    /// Where its data starts in the file.
    pub offset: usize,
    /// Its size.
    pub size: usize,
}

/// The archive's regular files, and why reading stopped early if it did (in `tarfile`'s
/// words where it has them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    /// Regular files, in order.
    pub members: Vec<Member>,
    /// What ended the listing before the end-of-archive blocks, if anything did.
    pub error: Option<String>,
}

fn field(header: &[u8], start: usize, len: usize) -> &[u8] {
    let raw = &header[start..start + len];
    let end = raw.iter().position(|&b| b == 0).unwrap_or(len);
    &raw[..end]
}

/// `tarfile.nti`: octal digits (spaces and NULs around them allowed), or base-256 when the
/// first byte's high bit is set.
fn number(raw: &[u8]) -> Option<u64> {
    if raw.first().is_some_and(|&b| b & 0x80 != 0) {
        let mut value: u64 = u64::from(raw[0] & 0x3f);
        for &b in &raw[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let text = std::str::from_utf8(raw).ok()?;
    let text = text.trim_matches(|c| c == ' ' || c == '\0');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// The header checksum: the sum of its bytes with the checksum field read as spaces
/// (`tarfile` also accepts the sum of signed bytes).
fn checksum_ok(header: &[u8]) -> bool {
    let Some(stored) = number(field(header, 148, 8)) else {
        return false;
    };
    let unsigned: u64 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    let signed: i64 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                i64::from(b as i8)
            }
        })
        .sum();
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// The `path` record of a PAX header's data (`LEN path=VALUE\n` lines).
fn pax_path(data: &[u8]) -> Option<String> {
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        let record = rest.get(space + 1..len)?;
        if let Some(value) = record.strip_prefix(b"path=") {
            return Some(text(value.strip_suffix(b"\n").unwrap_or(value)));
        }
        rest = &rest[len..];
    }
    None
}

/// Lists `data`'s regular files.
pub fn read(data: &[u8]) -> Archive {
    let mut archive = Archive::default();
    let mut at = 0;
    let mut long_name: Option<String> = None;
    while let Some(header) = data.get(at..at + BLOCK) {
        if header.iter().all(|&b| b == 0) {
            return archive;
        }
        if !checksum_ok(header) {
            archive.error = Some(format!("bad checksum in the header at byte {at}"));
            return archive;
        }
        let Some(size) = number(field(header, 124, 12)).and_then(|s| usize::try_from(s).ok())
        else {
            archive.error = Some(format!("invalid size in the header at byte {at}"));
            return archive;
        };
        let start = at + BLOCK;
        let Some(body) = data.get(start..start.saturating_add(size)) else {
            archive.error = Some(format!("unexpected end of data in the member at byte {at}"));
            return archive;
        };
        let typeflag = header[156];
        let mut name = text(field(header, 0, 100));
        if &header[257..262] == b"ustar" && header[345] != 0 {
            name = format!("{}/{name}", text(field(header, 345, 155)));
        }
        match typeflag {
            b'L' => long_name = Some(text(body.split(|&b| b == 0).next().unwrap_or(body))),
            b'x' => long_name = pax_path(body).or(long_name),
            b'0' | 0 | b'7' => archive.members.push(Member {
                name: long_name.take().unwrap_or(name),
                offset: start,
                size,
            }),
            _ => long_name = None,
        }
        at = start + size.div_ceil(BLOCK) * BLOCK;
    }
    if at < data.len() {
        archive.error = Some(format!("truncated header at byte {at}"));
    }
    archive
}

#[cfg(test)]
mod tests;
