//! Sparse members, as `tarfile` reads them: the old GNU format (type `S`: a map of up to four
//! `(offset, size)` pairs in the header, more in extension blocks after it, the real size at
//! byte 483), and the PAX formats GNU tar writes (0.0: `GNU.sparse.offset`/`numbytes`
//! records; 0.1: `GNU.sparse.map`; 1.0: the map in decimal lines at the start of the data).
//! `tarfile.extractfile` hands out the file with its holes as zeros: a pickle in a sparse
//! member is read by `pickle.load` as in any other.

use super::{BLOCK, Record, field, number};

/// Where a sparse member's data lies in its file: each `(offset, size)` chunk is the next
/// `size` stored bytes; the rest, up to `real_size`, is zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseMap {
    /// The chunks, in the stored order.
    pub chunks: Vec<(u64, u64)>,
    /// The file's size with its holes.
    pub real_size: u64,
}

impl SparseMap {
    /// The file as `tarfile` hands it out, from the `stored` chunk bytes, at most `max`
    /// bytes of it; an error when the chunks run past the stored bytes, or overlap or go back
    /// (which `tarfile` reads in an order that depends on how it is read).
    pub fn expand(&self, stored: &[u8], max: u64) -> Result<Vec<u8>, String> {
        let len = usize::try_from(self.real_size.min(max)).map_err(|e| e.to_string())?;
        let mut out = vec![0; len];
        let (mut at, mut end) = (0usize, 0u64);
        // Empty chunks hold nothing (tarfile keeps the header's four entries, `(0, 0)` or not).
        for &(offset, size) in self.chunks.iter().filter(|(_, size)| *size > 0) {
            if offset < end {
                return Err(format!(
                    "sparse chunk at {offset} goes back before {end}: not read"
                ));
            }
            let size_usize = usize::try_from(size).map_err(|e| e.to_string())?;
            let chunk = stored
                .get(at..at.saturating_add(size_usize))
                .ok_or("sparse chunks run past the member's data")?;
            let from = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
            let to = from.saturating_add(size_usize).min(len);
            out[from..to].copy_from_slice(&chunk[..to - from]);
            at += size_usize;
            end = offset.saturating_add(size);
        }
        Ok(out)
    }
}

/// The pairs of a map block: up to `count` pairs of 12-byte numbers from `at`, stopping where
/// one does not read as a number (as `tarfile` does); `keep_empty` keeps `(0, 0)` pairs, as
/// `tarfile` keeps the header's own four.
fn pairs(block: &[u8], at: usize, count: usize, keep_empty: bool, out: &mut Vec<(u64, u64)>) {
    for i in 0..count {
        let pos = at + i * 24;
        let (Some(offset), Some(size)) = (
            number(field(block, pos, 12)),
            number(field(block, pos + 12, 12)),
        ) else {
            return;
        };
        if keep_empty || (offset != 0 && size != 0) {
            out.push((offset, size));
        }
    }
}

/// An old GNU sparse header's map (and the extension blocks after it, from `data`, which
/// starts right after the header): the map and how many extension bytes it took.
pub fn old_gnu(header: &[u8], data: &[u8]) -> Result<(SparseMap, usize), String> {
    let mut chunks = Vec::new();
    pairs(header, 386, 4, true, &mut chunks);
    let real_size = number(field(header, 483, 12)).ok_or("invalid sparse real size")?;
    let mut extended = header[482] != 0;
    let mut used = 0;
    while extended {
        let block = data
            .get(used..used + BLOCK)
            .ok_or("unexpected end of data in a sparse header")?;
        pairs(block, 0, 21, false, &mut chunks);
        extended = block[504] != 0;
        used += BLOCK;
    }
    Ok((SparseMap { chunks, real_size }, used))
}

/// What a PAX header says of a sparse member after it.
#[derive(Debug, Clone, Default)]
pub struct PaxSparse {
    /// The map from the records (0.0, 0.1), or None with `in_data` for 1.0.
    pub chunks: Option<Vec<(u64, u64)>>,
    /// 1.0: the map is at the start of the member's data.
    pub in_data: bool,
    /// `GNU.sparse.size` or `GNU.sparse.realsize`.
    pub real_size: Option<u64>,
    /// `GNU.sparse.name`: the member's path.
    pub name: Option<String>,
}

fn value<'a>(records: &'a [Record], key: &[u8]) -> Option<&'a [u8]> {
    records
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_slice())
}

fn int(raw: &[u8]) -> Option<u64> {
    std::str::from_utf8(raw).ok()?.trim().parse().ok()
}

/// The sparse format a PAX header's `records` describe, as `tarfile._proc_pax` tries them:
/// 0.1 (`GNU.sparse.map`), then 0.0 (`GNU.sparse.size`), then 1.0 (major 1, minor 0). An
/// error for numbers that do not parse (`tarfile` raises).
pub fn pax(records: &[Record]) -> Result<Option<PaxSparse>, String> {
    let bad = || "invalid GNU sparse header".to_string();
    let mut sparse = PaxSparse {
        name: value(records, b"GNU.sparse.name").map(|n| String::from_utf8_lossy(n).into_owned()),
        real_size: value(records, b"GNU.sparse.realsize")
            .or_else(|| value(records, b"GNU.sparse.size"))
            .map(|v| int(v).ok_or_else(bad))
            .transpose()?,
        ..PaxSparse::default()
    };
    if let Some(map) = value(records, b"GNU.sparse.map") {
        let numbers = std::str::from_utf8(map)
            .map_err(|_| bad())?
            .split(',')
            .map(|n| n.trim().parse::<u64>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        sparse.chunks = Some(numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect());
    } else if value(records, b"GNU.sparse.size").is_some() {
        let list = |key: &[u8]| -> Result<Vec<u64>, String> {
            records
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| int(v).ok_or_else(bad))
                .collect()
        };
        let offsets = list(b"GNU.sparse.offset")?;
        let sizes = list(b"GNU.sparse.numbytes")?;
        sparse.chunks = Some(offsets.into_iter().zip(sizes).collect());
    } else if value(records, b"GNU.sparse.major") == Some(b"1")
        && value(records, b"GNU.sparse.minor") == Some(b"0")
    {
        sparse.in_data = true;
    } else {
        return Ok(None);
    }
    Ok(Some(sparse))
}

/// A 1.0 map at the start of `data`: a count line, then that many pairs of number lines. The
/// data starts after the blocks `tarfile` read to find them (it reads a block while what it
/// has holds no newline): the map and how many bytes that is.
pub fn map_in_data(data: &[u8]) -> Result<(Vec<(u64, u64)>, usize), String> {
    let bad = || "invalid GNU sparse map".to_string();
    let mut count = None;
    let mut numbers = Vec::new();
    let mut at = 0;
    while count.is_none_or(|count: u64| (numbers.len() as u64) < count.saturating_mul(2)) {
        let newline = data[at..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(bad)?;
        let number = int(&data[at..at + newline]).ok_or_else(bad)?;
        at += newline + 1;
        match count {
            None => count = Some(number),
            Some(_) => numbers.push(number),
        }
    }
    let pairs = numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    Ok((pairs, at.div_ceil(BLOCK).max(1) * BLOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_file_is_its_chunks_in_place_and_zeros_between() {
        let map = SparseMap {
            chunks: vec![(0, 2), (6, 3), (9, 0), (0, 0)],
            real_size: 10,
        };
        assert_eq!(map.expand(b"abcde", 100).unwrap(), b"ab\0\0\0\0cde\0");
        // Cut at the limit.
        assert_eq!(map.expand(b"abcde", 4).unwrap(), b"ab\0\0");
        // Chunks past the stored bytes, or going back, are not read.
        assert!(map.expand(b"abc", 100).unwrap_err().contains("run past"));
        let back = SparseMap {
            chunks: vec![(4, 2), (2, 2)],
            real_size: 10,
        };
        assert!(back.expand(b"abcd", 100).unwrap_err().contains("goes back"));
    }

    #[test]
    fn a_1_0_map_is_read_a_block_at_a_time() {
        // 100 pairs of numbers need more than one block: the data starts after the second.
        let mut data = b"100\n".to_vec();
        for k in 0..100u64 {
            data.extend(format!("{}\n{}\n", k * 1000, 10).as_bytes());
        }
        assert!(data.len() > BLOCK && data.len() <= 2 * BLOCK);
        data.resize(2 * BLOCK, 0);
        data.extend(b"chunk bytes");
        let (map, used) = map_in_data(&data).unwrap();
        assert_eq!((map.len(), map[99], used), (100, (99_000, 10), 2 * BLOCK));
        assert!(map_in_data(b"2\n0\n").is_err());
    }
}
