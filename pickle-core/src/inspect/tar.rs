//! Reading a tar archive (PyTorch's legacy checkpoints are one: `sys_info`, `pickle`,
//! `tensors`, `storages`) as Python's `tarfile` lists it: 512-byte headers with octal (or
//! base-256) sizes and a checked checksum, ustar name prefixes, GNU long names (`L`) and PAX
//! headers (`x`, `X`; global `g`) whose `path` and `size` override the next member's, data
//! padded to 512 bytes, two empty blocks at the end. Every member `tarfile.extractfile` hands
//! out is listed: regular files, sparse ones (tar/sparse.rs), and types it does not know;
//! after a link, device, directory or FIFO header no data is skipped, as `tarfile` skips none.

const BLOCK: usize = 512;

mod sparse;
pub use sparse::SparseMap;

/// One file of the archive `tarfile.extractfile` hands out: a regular file, a sparse one, or
/// one of a type `tarfile` does not know (which it reads as a regular file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its path.
    pub name: String,
    /// Where its data starts in the file.
    pub offset: usize,
    /// Its size: the bytes stored in the archive.
    pub size: usize,
    /// For a sparse file, where its stored bytes go, the rest being zeros.
    pub sparse: Option<SparseMap>,
}

/// What `tarfile` does with a header, by its type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Data it hands out: regular files (`0`, NUL, `7`) and any type it does not know.
    Regular,
    /// An old GNU sparse file (`S`).
    Sparse,
    /// A GNU long name (`L`) or long link name (`K`) for the next header.
    LongName,
    LongLink,
    /// A PAX header for the next member (`x`, `X`) or for all after it (`g`).
    Pax,
    GlobalPax,
    /// A link, device, directory or FIFO (`1` to `6`): `tarfile` skips no data after it,
    /// whatever its size field says.
    NoData,
}

impl Kind {
    fn of(typeflag: u8) -> Kind {
        match typeflag {
            b'S' => Kind::Sparse,
            b'L' => Kind::LongName,
            b'K' => Kind::LongLink,
            b'x' | b'X' => Kind::Pax,
            b'g' => Kind::GlobalPax,
            b'1'..=b'6' => Kind::NoData,
            _ => Kind::Regular,
        }
    }
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
    /// A PAX header's GNU sparse records for the next member.
    sparse: Option<sparse::PaxSparse>,
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

/// Lists `data`'s files as `tarfile` lists them.
pub fn read(data: &[u8]) -> Archive {
    let mut archive = Archive::default();
    if let Err(error) = read_into(data, &mut archive) {
        archive.error = Some(error);
    }
    archive
}

/// The headers one after another, each member found added to `archive`, until the two
/// empty blocks; why the listing stopped early if it did.
fn read_into(data: &[u8], archive: &mut Archive) -> Result<(), String> {
    let mut at = 0;
    let mut overrides = Overrides::default();
    let mut global = Vec::new();
    while let Some(header) = data.get(at..at + BLOCK) {
        if header.iter().all(|&b| b == 0) {
            return Ok(());
        }
        if !checksum_ok(header) {
            return Err(format!("bad checksum in the header at byte {at}"));
        }
        let size = number(field(header, 124, 12))
            .and_then(|s| usize::try_from(s).ok())
            .ok_or_else(|| format!("invalid size in the header at byte {at}"))?;
        let kind = Kind::of(header[156]);
        let member = matches!(kind, Kind::Regular | Kind::Sparse);
        // A member's PAX size (its own header's, or the global one copied into it) is also
        // where the next header is; a global size alone is only what is read of it.
        let (size, skip) = match overrides.size {
            Some(pax) if member => (pax, pax),
            None if member => (Overrides::last_size(&global).unwrap_or(size), size),
            _ if kind == Kind::NoData => (0, 0),
            _ => (size, size),
        };
        let start = at + BLOCK;
        let short = || format!("unexpected end of data in the member at byte {at}");
        let body = data
            .get(start..start.saturating_add(size))
            .ok_or_else(short)?;
        let mut name = text(field(header, 0, 100));
        if &header[257..262] == b"ustar" && header[345] != 0 {
            name = format!("{}/{name}", text(field(header, 345, 155)));
        }
        let mut extension = 0;
        match kind {
            Kind::LongName => overrides.name(text(body.split(|&b| b == 0).next().unwrap_or(body))),
            Kind::LongLink => {}
            Kind::Pax | Kind::GlobalPax => {
                let records =
                    pax_records(body).ok_or_else(|| format!("invalid PAX header at byte {at}"))?;
                if kind == Kind::GlobalPax {
                    global.extend(records);
                } else {
                    let all: Vec<Record> = global
                        .iter()
                        .cloned()
                        .chain(records.iter().cloned())
                        .collect();
                    overrides.sparse = sparse::pax(&all)?;
                    overrides.pax(&global, &records);
                }
            }
            Kind::Regular | Kind::Sparse => {
                let overrides = std::mem::take(&mut overrides);
                let found = found_member(data, header, start, size, kind, overrides.sparse)?;
                extension = found.extension;
                archive.members.push(Member {
                    name: found
                        .name
                        .or(overrides.name)
                        .or_else(|| Overrides::last_path(&global))
                        .unwrap_or(name),
                    offset: found.offset,
                    size: found.size,
                    sparse: found.map,
                });
            }
            Kind::NoData => overrides = Overrides::default(),
        }
        at = start + extension + skip.div_ceil(BLOCK) * BLOCK;
    }
    if at < data.len() {
        return Err(format!("truncated header at byte {at}"));
    }
    Ok(())
}

/// Where a member's stored bytes are, and its sparse map if it has one.
struct Found {
    /// The path a GNU sparse PAX record gives it.
    name: Option<String>,
    offset: usize,
    size: usize,
    map: Option<SparseMap>,
    /// Bytes of old GNU sparse extension blocks between the header and the data.
    extension: usize,
}

/// The member whose header (of `kind`) is followed at `start` by `size` bytes.
fn found_member(
    data: &[u8],
    header: &[u8],
    start: usize,
    size: usize,
    kind: Kind,
    pax_sparse: Option<sparse::PaxSparse>,
) -> Result<Found, String> {
    let mut found = Found {
        name: None,
        offset: start,
        size,
        map: None,
        extension: 0,
    };
    if kind == Kind::Sparse {
        let (map, extension) = sparse::old_gnu(header, &data[start..])?;
        found.offset = start + extension;
        found.extension = extension;
        if data.get(found.offset..found.offset + size).is_none() {
            return Err(format!(
                "unexpected end of data in the sparse member at byte {start}"
            ));
        }
        found.map = Some(map);
        return Ok(found);
    }
    let Some(pax) = pax_sparse else {
        return Ok(found);
    };
    let chunks = match pax.chunks {
        Some(chunks) => chunks,
        None => {
            let (chunks, used) = sparse::map_in_data(&data[start..start + size])?;
            found.offset = start + used;
            found.size = size.saturating_sub(used);
            chunks
        }
    };
    found.name = pax.name;
    found.map = Some(SparseMap {
        chunks,
        real_size: pax.real_size.unwrap_or(size as u64),
    });
    Ok(found)
}

#[cfg(test)]
mod tests;
