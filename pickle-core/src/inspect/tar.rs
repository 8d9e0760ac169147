//! Reading a tar archive (PyTorch's legacy checkpoints are one: `sys_info`, `pickle`,
//! `tensors`, `storages`) as Python's `tarfile` lists it: 512-byte headers with octal (or
//! base-256) sizes and a checked checksum, ustar name prefixes, GNU long names (`L`) and PAX
//! headers (`x`, `X`; global `g`) whose `path` and `size` override the next member's, data
//! padded to 512 bytes, two empty blocks at the end.

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

/// A PAX record: key and value.
type Record = (Vec<u8>, Vec<u8>);

/// A PAX header's records (`LEN key=value\n`), in order; None when they do not parse, which
/// `tarfile` refuses ("invalid header").
fn pax_records(data: &[u8]) -> Option<Vec<Record>> {
    let mut records = Vec::new();
    let mut rest = data;
    // tarfile stops at the first NUL: the data is padded with them.
    while rest.first().is_some_and(|&b| b != 0) {
        let space = rest.iter().position(|&b| b == b' ')?;
        let digits = &rest[..space];
        if digits.is_empty() || digits.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let len: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
        // The shortest record is `5 x=\n`; the keyword cannot be empty.
        if len < 5 {
            return None;
        }
        let record = rest.get(space + 1..len)?.strip_suffix(b"\n")?;
        let equals = record
            .iter()
            .position(|&b| b == b'=')
            .filter(|&at| at > 0)?;
        records.push((record[..equals].to_vec(), record[equals + 1..].to_vec()));
        rest = &rest[len..];
    }
    Some(records)
}

/// What the headers before a member say of it: `tarfile` lets the outermost header win (each
/// one patches the member the headers after it made), so the first value of each is kept.
#[derive(Default)]
struct Overrides {
    name: Option<String>,
    size: Option<usize>,
}

impl Overrides {
    fn name(&mut self, name: String) {
        self.name.get_or_insert(name);
    }

    /// A PAX header for the next member: the global records, then its own.
    fn pax(&mut self, global: &[Record], own: &[Record]) {
        if let Some(path) = Self::last_path(own).or_else(|| Self::last_path(global)) {
            self.name(path);
        }
        let size = Self::last_size(own).or_else(|| Self::last_size(global));
        if let Some(size) = size {
            self.size.get_or_insert(size);
        }
    }

    /// The last `path` of `records`, without trailing slashes as tarfile strips them.
    fn last_path(records: &[Record]) -> Option<String> {
        let (_, path) = records.iter().rev().find(|(key, _)| key == b"path")?;
        Some(text(path).trim_end_matches('/').to_string())
    }

    /// The last `size` of `records`; tarfile reads one that is not a number as 0.
    fn last_size(records: &[Record]) -> Option<usize> {
        let (_, size) = records.iter().rev().find(|(key, _)| key == b"size")?;
        let size = std::str::from_utf8(size).ok().map(str::trim);
        Some(size.and_then(|s| s.parse().ok()).unwrap_or(0))
    }
}

/// Lists `data`'s regular files.
pub fn read(data: &[u8]) -> Archive {
    let mut archive = Archive::default();
    let mut at = 0;
    let mut overrides = Overrides::default();
    let mut global = Vec::new();
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
        let typeflag = header[156];
        let member = matches!(typeflag, b'0' | 0 | b'7');
        // A member's PAX size (its own header's, or the global one copied into it) is also
        // where the next header is; a global size alone is only what is read of it.
        let (size, skip) = match overrides.size {
            Some(pax) if member => (pax, pax),
            None if member => (Overrides::last_size(&global).unwrap_or(size), size),
            _ => (size, size),
        };
        let start = at + BLOCK;
        let Some(body) = data.get(start..start.saturating_add(size)) else {
            archive.error = Some(format!("unexpected end of data in the member at byte {at}"));
            return archive;
        };
        let mut name = text(field(header, 0, 100));
        if &header[257..262] == b"ustar" && header[345] != 0 {
            name = format!("{}/{name}", text(field(header, 345, 155)));
        }
        match typeflag {
            b'L' => overrides.name(text(body.split(|&b| b == 0).next().unwrap_or(body))),
            b'x' | b'X' | b'g' => {
                let Some(records) = pax_records(body) else {
                    archive.error = Some(format!("invalid PAX header at byte {at}"));
                    return archive;
                };
                if typeflag == b'g' {
                    global.extend(records);
                } else {
                    overrides.pax(&global, &records);
                }
            }
            _ if member => {
                let overrides = std::mem::take(&mut overrides);
                archive.members.push(Member {
                    name: overrides
                        .name
                        .or_else(|| Overrides::last_path(&global))
                        .unwrap_or(name),
                    offset: start,
                    size,
                });
            }
            _ => overrides = Overrides::default(),
        }
        at = start + skip.div_ceil(BLOCK) * BLOCK;
    }
    if at < data.len() {
        archive.error = Some(format!("truncated header at byte {at}"));
    }
    archive
}

#[cfg(test)]
mod tests;
