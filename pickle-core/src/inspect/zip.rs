//! Reading a zip archive as Python's `zipfile` reads it, to find every member a loader could
//! be given: the end record searched for from the end of the file (past a comment of up to
//! 64 KiB), the central directory found through it, and data before the archive allowed (the
//! offsets are shifted by what precedes it, as `zipfile` shifts them). Members are listed from
//! the central directory, with the sizes and method it gives, as `zipfile` reads them.
//!
//! What `zipfile` would refuse when a member is opened (a local header that is not one, a
//! name that differs from the directory's, encryption, patch data) is kept as a finding on
//! the member instead of stopping the listing: PyTorch's own reader does not check all of
//! them, so the member's bytes are still there to inspect. Only stored members are read here.

/// Signatures, as `zipfile` names them.
const END_ARCHIVE: &[u8; 4] = b"PK\x05\x06";
const END_ARCHIVE64: &[u8; 4] = b"PK\x06\x06";
const END_ARCHIVE64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
const CENTRAL_DIR: &[u8; 4] = b"PK\x01\x02";
const FILE_HEADER: &[u8; 4] = b"PK\x03\x04";

const END_ARCHIVE_SIZE: usize = 22;
const END_ARCHIVE64_SIZE: usize = 56;
const END_ARCHIVE64_LOCATOR_SIZE: usize = 20;
const CENTRAL_DIR_SIZE: usize = 46;
const FILE_HEADER_SIZE: usize = 30;
/// The highest "version needed to extract" `zipfile` reads (6.3); above it, it refuses the
/// whole archive.
const MAX_EXTRACT_VERSION: u8 = 63;
/// The longest comment an end record can carry.
const MAX_COMMENT: usize = 0xffff;

/// General purpose flag bits `zipfile` looks at.
const FLAG_ENCRYPTED: u16 = 0x1;
const FLAG_COMPRESSED_PATCH: u16 = 0x20;
const FLAG_STRONG_ENCRYPTION: u16 = 0x40;
const FLAG_UTF8: u16 = 0x800;

/// The method of a stored (uncompressed) member.
pub const STORED: u16 = 0;
/// The method of a deflated member.
pub const DEFLATED: u16 = 8;
/// The method of a bzip2-compressed member.
pub const BZIP2: u16 = 12;
/// The method of a Zstandard-compressed member (zipfile reads it from Python 3.14).
pub const ZSTD: u16 = 93;

/// One member, as the central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name in the central directory (UTF-8 when its flag says so, else code page 437).
    pub name: String,
    /// Where its local header starts in the file (shifted by data before the archive).
    pub header_offset: u64,
    /// Where its data starts, when the local header could be read.
    pub data_offset: Option<u64>,
    /// Bytes of data in the file.
    pub compressed_size: u64,
    /// Bytes once decompressed.
    pub size: u64,
    /// Compression method: 0 stored, 8 deflated, 12 bzip2, 14 lzma...
    pub method: u16,
    /// General purpose flag bits (bit 0 encrypted, 5 patch data, 6 strong encryption, 11
    /// UTF-8 name).
    pub flags: u16,
    /// The CRC-32 the directory gives for the decompressed bytes.
    pub crc: u32,
    /// Why `zipfile` would refuse to open it, if it would.
    pub refusal: Option<String>,
}

impl Member {
    /// The member's bytes when it is stored and they lie within `file`.
    pub fn stored_data<'a>(&self, file: &'a [u8]) -> Option<&'a [u8]> {
        if self.method != STORED {
            return None;
        }
        self.raw_data(file)
    }

    /// The member's data as it lies in `file` (compressed or not), when it lies within it.
    fn raw_data<'a>(&self, file: &'a [u8]) -> Option<&'a [u8]> {
        let start = usize::try_from(self.data_offset?).ok()?;
        let end = start.checked_add(usize::try_from(self.compressed_size).ok()?)?;
        file.get(start..end)
    }

    /// The member's bytes as `zipfile` hands them to a reader: stored ones as they are,
    /// deflated, bzip2 and zstd ones decompressed, at most the size the directory declares
    /// (`zipfile` reads no further). A declared size above `max_size` is not decompressed.
    pub fn data<'a>(
        &self,
        file: &'a [u8],
        max_size: u64,
    ) -> Result<std::borrow::Cow<'a, [u8]>, String> {
        if self.method == STORED {
            return self
                .stored_data(file)
                .map(std::borrow::Cow::Borrowed)
                .ok_or_else(|| "its data runs past the end of the file".to_string());
        }
        let kind = match self.method {
            DEFLATED => None,
            BZIP2 => Some(super::unpack::Codec::Bzip2),
            ZSTD => Some(super::unpack::Codec::Zstd),
            method => {
                return Err(format!(
                    "compressed with method {method}, not read by this version"
                ));
            }
        };
        if self.size > max_size {
            return Err(format!(
                "declares {} bytes once inflated, more than the {max_size} inspected",
                self.size
            ));
        }
        let compressed = self
            .raw_data(file)
            .ok_or("its data runs past the end of the file")?;
        if let Some(kind) = kind {
            // zipfile hands a reader at most the declared size.
            let mut out = super::unpack::unpack(kind, compressed, max_size).map_err(|p| p.error)?;
            out.truncate(usize::try_from(self.size).unwrap_or(usize::MAX));
            return Ok(std::borrow::Cow::Owned(out));
        }
        let mut out = vec![0; usize::try_from(self.size).map_err(|e| e.to_string())?];
        // Negative window bits: raw deflate, as zip stores it.
        let config = zlib_rs::InflateConfig { window_bits: -15 };
        let (inflated, code) = zlib_rs::decompress_slice(&mut out, compressed, config);
        let len = inflated.len();
        match code {
            // BufError: more data than declared; zipfile stops at the declared size too.
            zlib_rs::ReturnCode::Ok
            | zlib_rs::ReturnCode::StreamEnd
            | zlib_rs::ReturnCode::BufError => {
                out.truncate(len);
                Ok(std::borrow::Cow::Owned(out))
            }
            code => Err(format!("its deflated data is invalid ({code:?})")),
        }
    }
}

/// An archive as `zipfile` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// Bytes before the archive's first byte as its offsets count them (`zipfile`'s
    /// `concat`): a file with a pickle in front of a zip has them.
    pub prefix: u64,
    /// Where the central directory starts in the file.
    pub directory_offset: u64,
    /// Where the end record that describes it starts.
    pub end_offset: u64,
    /// The members, in directory order.
    pub members: Vec<Member>,
}

/// Why a file is not a zip `zipfile` would read, in its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipError(pub String);

impl std::fmt::Display for ZipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([data[at], data[at + 1]])
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().expect("four bytes"))
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(data[at..at + 8].try_into().expect("eight bytes"))
}

/// The end record's fields `zipfile` uses, and where it is.
struct End {
    directory_size: u64,
    directory_offset: u64,
    location: u64,
    /// Bytes of zip64 records between the directory and the end record.
    zip64_records: u64,
}

/// `zipfile._EndRecData`: the end record right at the end (no comment), else the last one in
/// the final 64 KiB + 22 bytes.
fn end_record(data: &[u8]) -> Option<End> {
    let len = data.len();
    if len < END_ARCHIVE_SIZE {
        return None;
    }
    let tail = len - END_ARCHIVE_SIZE;
    let at = if &data[tail..tail + 4] == END_ARCHIVE && data[len - 2..] == [0, 0] {
        tail
    } else {
        *end_signatures(data).last()?
    };
    Some(end_at(data, at))
}

/// Where an end record's signature, with room for the record, lies in the final 64 KiB +
/// 22 bytes: the places a reader looks for one.
fn end_signatures(data: &[u8]) -> Vec<usize> {
    let len = data.len();
    let from = len.saturating_sub(MAX_COMMENT + 1 + END_ARCHIVE_SIZE);
    data[from..]
        .windows(4)
        .enumerate()
        .filter(|&(at, w)| w == END_ARCHIVE && from + at + END_ARCHIVE_SIZE <= len)
        .map(|(at, _)| from + at)
        .collect()
}

/// The end record at `at` (which has room for one).
fn end_at(data: &[u8], at: usize) -> End {
    let mut end = End {
        directory_size: u64::from(u32_at(data, at + 12)),
        directory_offset: u64::from(u32_at(data, at + 16)),
        location: at as u64,
        zip64_records: 0,
    };
    zip64_end(data, at, &mut end);
    end
}

/// `zipfile._EndRecData64`: a zip64 locator just before the end record points at the zip64
/// end record, whose sizes replace the 32-bit ones.
fn zip64_end(data: &[u8], at: usize, end: &mut End) {
    let Some(locator) = at.checked_sub(END_ARCHIVE64_LOCATOR_SIZE) else {
        return;
    };
    if &data[locator..locator + 4] != END_ARCHIVE64_LOCATOR {
        return;
    }
    let Some(record) = locator.checked_sub(END_ARCHIVE64_SIZE) else {
        return;
    };
    if &data[record..record + 4] != END_ARCHIVE64 {
        return;
    }
    end.directory_size = u64_at(data, record + 40);
    end.directory_offset = u64_at(data, record + 48);
    end.zip64_records = (END_ARCHIVE64_SIZE + END_ARCHIVE64_LOCATOR_SIZE) as u64;
}

/// Code page 437, as `zipfile` decodes names without the UTF-8 flag: ASCII stays, the upper
/// half maps to the characters IBM PCs drew.
fn cp437(bytes: &[u8]) -> String {
    const UPPER: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    let upper: Vec<char> = UPPER.chars().collect();
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                upper[usize::from(b - 0x80)]
            }
        })
        .collect()
}

/// A name as Python's `repr` shows it in `zipfile`'s messages: single quotes unless the name
/// has one and no double quote; backslashes, the chosen quote and control characters escaped.
pub(crate) fn py_repr(name: &str) -> String {
    let quote = if name.contains('\'') && !name.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn decode_name(raw: &[u8], flags: u16) -> String {
    if flags & FLAG_UTF8 != 0 {
        String::from_utf8_lossy(raw).into_owned()
    } else {
        cp437(raw)
    }
}

/// Lists `data` as `zipfile.ZipFile(...).infolist()` would, with what opening each member
/// would find.
pub fn read(data: &[u8]) -> Result<Archive, ZipError> {
    let end = end_record(data).ok_or_else(|| ZipError("File is not a zip file".into()))?;
    read_from(data, &end)
}

/// How many archives [`hidden_archives`] looks for in front of the one `zipfile` reads.
const MAX_HIDDEN: usize = 8;

/// The archives in `data` that `zipfile` does not list but another reader can: those whose
/// end records lie in the tail beside the one `zipfile` takes (a reader that takes the first
/// it finds, or checks the comment's length, takes another), and whole archives in front of
/// `archive` (concatenated: `zipfile` reads the last, a reader going through local headers
/// from the front reads the first). Each with where its end record is.
pub fn hidden_archives(data: &[u8], archive: &Archive) -> Vec<Archive> {
    // An end record inside a member's data belongs to an archive stored in it, which is
    // opened as that member. The members' data, by start, each with the furthest end so far:
    // a lookup per signature instead of a pass over every member.
    let mut spans: Vec<(u64, u64)> = archive
        .members
        .iter()
        .filter_map(|m| {
            Some((
                m.data_offset?,
                m.data_offset?.saturating_add(m.compressed_size),
            ))
        })
        .collect();
    spans.sort_unstable();
    let mut furthest = 0;
    for span in &mut spans {
        furthest = furthest.max(span.1);
        span.1 = furthest;
    }
    let in_a_member = |at: u64| {
        let before = spans.partition_point(|&(start, _)| start <= at);
        before > 0 && spans[before - 1].1 > at
    };
    // The nearest to the end first, a few at most: each is a directory to parse, and the tail
    // can hold thousands of signatures.
    let mut found: Vec<Archive> = end_signatures(data)
        .into_iter()
        .rev()
        .filter(|&at| at as u64 != archive.end_offset && !in_a_member(at as u64))
        .take(MAX_HIDDEN)
        .filter_map(|at| read_from(data, &end_at(data, at)).ok())
        .filter(|other| other.members != archive.members)
        .collect();
    let mut prefix = archive.prefix;
    while prefix > 0 && found.len() < MAX_HIDDEN {
        let Some(front) = usize::try_from(prefix).ok().and_then(|p| data.get(..p)) else {
            break;
        };
        let Ok(earlier) = read(front) else {
            break;
        };
        prefix = earlier.prefix;
        if found.iter().all(|f| f.end_offset != earlier.end_offset) {
            found.push(earlier);
        }
    }
    found
}

/// The archive `end` describes.
fn read_from(data: &[u8], end: &End) -> Result<Archive, ZipError> {
    let start = end
        .location
        .checked_sub(end.directory_size)
        .and_then(|s| s.checked_sub(end.directory_offset))
        .and_then(|s| s.checked_sub(end.zip64_records));
    let Some(prefix) = start else {
        return Err(ZipError("Bad offset for central directory".into()));
    };
    let directory_offset = end.directory_offset + prefix;
    let mut members = Vec::new();
    let mut at = usize::try_from(directory_offset).unwrap_or(usize::MAX);
    let directory_end =
        at.saturating_add(usize::try_from(end.directory_size).unwrap_or(usize::MAX));
    while at < directory_end {
        let (member, next) = central_entry(data, at, prefix)?;
        members.push(member);
        at = next;
    }
    // zipfile (3.12 on) bounds each member's data by the next header, or the directory.
    let mut ends: Vec<(u64, usize)> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.header_offset, i))
        .collect();
    ends.sort_unstable();
    let mut bound = directory_offset;
    for &(offset, i) in ends.iter().rev() {
        open(data, &mut members[i], bound);
        bound = offset;
    }
    Ok(Archive {
        prefix,
        directory_offset,
        end_offset: end.location,
        members,
    })
}

/// One central directory entry at `at`, and where the next one starts.
fn central_entry(data: &[u8], at: usize, prefix: u64) -> Result<(Member, usize), ZipError> {
    let entry = data
        .get(at..at + CENTRAL_DIR_SIZE)
        .ok_or_else(|| ZipError("Truncated central directory".into()))?;
    if &entry[..4] != CENTRAL_DIR {
        return Err(ZipError("Bad magic number for central directory".into()));
    }
    let extract_version = entry[6];
    if extract_version > MAX_EXTRACT_VERSION {
        return Err(ZipError(format!(
            "zip file version {}.{}",
            extract_version / 10,
            extract_version % 10
        )));
    }
    let flags = u16_at(entry, 8);
    let name_len = usize::from(u16_at(entry, 28));
    let extra_len = usize::from(u16_at(entry, 30));
    let comment_len = usize::from(u16_at(entry, 32));
    let variable = at + CENTRAL_DIR_SIZE;
    let truncated = || ZipError("Truncated central directory".into());
    let name = data
        .get(variable..variable + name_len)
        .ok_or_else(truncated)?;
    let extra = data
        .get(variable + name_len..variable + name_len + extra_len)
        .ok_or_else(truncated)?;
    let mut member = Member {
        name: decode_name(name, flags),
        header_offset: u64::from(u32_at(entry, 42)),
        data_offset: None,
        compressed_size: u64::from(u32_at(entry, 20)),
        size: u64::from(u32_at(entry, 24)),
        method: u16_at(entry, 10),
        flags,
        crc: u32_at(entry, 16),
        refusal: None,
    };
    zip64_extra(extra, &mut member)?;
    member.header_offset += prefix;
    Ok((member, variable + name_len + extra_len + comment_len))
}

/// `ZipInfo._decodeExtra`: the zip64 field (id 1) holds, in order, each of size, compressed
/// size and header offset whose 32-bit field is all ones.
fn zip64_extra(mut extra: &[u8], member: &mut Member) -> Result<(), ZipError> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0);
        let len = usize::from(u16_at(extra, 2));
        let Some(body) = extra.get(4..4 + len) else {
            return Err(ZipError(format!(
                "Corrupt extra field {id:04x} (size={len})"
            )));
        };
        if id == 1 {
            let mut values = body.chunks_exact(8).map(|c| u64_at(c, 0));
            let mut take = |field: &mut u64, what: &str| -> Result<(), ZipError> {
                if *field == u64::from(u32::MAX) {
                    *field = values.next().ok_or_else(|| {
                        ZipError(format!("Corrupt zip64 extra field. {what} not found."))
                    })?;
                }
                Ok(())
            };
            take(&mut member.size, "File size")?;
            take(&mut member.compressed_size, "Compress size")?;
            take(&mut member.header_offset, "Header offset")?;
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

/// What `ZipFile.open` does before the first byte of data: the local header checked, its
/// name compared with the directory's, the flags `zipfile` cannot handle refused. The data
/// offset is kept whenever a local header is there, refused or not.
fn open(data: &[u8], member: &mut Member, end_offset: u64) {
    let Some(at) = usize::try_from(member.header_offset).ok() else {
        member.refusal = Some("Truncated file header".into());
        return;
    };
    let Some(header) = data.get(at..at.saturating_add(FILE_HEADER_SIZE)) else {
        member.refusal = Some("Truncated file header".into());
        return;
    };
    if &header[..4] != FILE_HEADER {
        member.refusal = Some("Bad magic number for file header".into());
        return;
    }
    let local_flags = u16_at(header, 6);
    let name_len = usize::from(u16_at(header, 26));
    let extra_len = usize::from(u16_at(header, 28));
    let name_at = at + FILE_HEADER_SIZE;
    let data_at = name_at + name_len + extra_len;
    member.data_offset = Some(data_at as u64);
    let raw_local_name = data.get(name_at..name_at + name_len).unwrap_or_default();
    let local_name = decode_name(raw_local_name, local_flags);
    member.refusal = if member.flags & FLAG_COMPRESSED_PATCH != 0 {
        Some("compressed patched data (flag bit 5)".into())
    } else if member.flags & FLAG_STRONG_ENCRYPTION != 0 {
        Some("strong encryption (flag bit 6)".into())
    } else if local_name != member.name {
        // zipfile shows the header's name as the bytes it read.
        Some(format!(
            "File name in directory {} and header {} differ.",
            py_repr(&member.name),
            crate::disasm::bytes_repr(raw_local_name)
        ))
    } else if (data_at as u64).saturating_add(member.compressed_size) > end_offset {
        Some(format!(
            "Overlapped entries: {} (possible zip bomb)",
            py_repr(&member.name)
        ))
    } else if member.flags & FLAG_ENCRYPTED != 0 {
        Some(format!(
            "File {} is encrypted, password required for extraction",
            py_repr(&member.name)
        ))
    } else {
        None
    };
}

#[cfg(test)]
mod tests;
