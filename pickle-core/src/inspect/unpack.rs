//! Compressed streams around pickles, decompressed up to a limit: joblib's compressors and
//! `.gz`/`.bz2`/`.xz`/`.zst` pickles; gzip and zlib are inflated by [`super::inflate`]. Several streams (or frames) in a row
//! are read one after another, as Python's `bz2`, `lzma` and `compression.zstd` read them.

use std::io::Read;

/// The compressors read here (gzip and zlib through [`super::inflate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `\x1f\x8b...`: Python's `gzip`.
    Gzip,
    /// A zlib header (`x\x9c`, `x^`...): Python's `zlib`, joblib's default compressor.
    Zlib,
    /// `BZh...`: Python's `bz2`.
    Bzip2,
    /// `\xfd7zXZ\0...`: Python's `lzma` in its default (xz) format.
    Xz,
    /// `\x28\xb5\x2f\xfd...`: Zstandard frames.
    Zstd,
}

impl Codec {
    /// The codec `data` starts with, if any.
    pub fn sniff(data: &[u8]) -> Option<Codec> {
        if data.starts_with(b"\x1f\x8b") {
            Some(Codec::Gzip)
        } else if super::inflate::is_zlib(data) {
            Some(Codec::Zlib)
        } else if data.starts_with(b"BZh") {
            Some(Codec::Bzip2)
        } else if data.starts_with(b"\xfd7zXZ\x00") {
            Some(Codec::Xz)
        } else if data.starts_with(b"\x28\xb5\x2f\xfd") {
            Some(Codec::Zstd)
        } else {
            None
        }
    }

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zlib => "zlib",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
            Codec::Zstd => "zstd",
        }
    }
}

/// A stream that stopped early, and the bytes it gave before: a streaming reader
/// (`pickle.load(gzip.open(path))`) has read them, and a pickle among them has run, before
/// the error is raised, if it ever is (a pickle that ends before the bad data loads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    /// What was decompressed before the error (at most the limit).
    pub data: Vec<u8>,
    /// Why it stopped.
    pub error: String,
}

impl Partial {
    /// `data` cut to the `max` bytes inspected, and the `error` that ended it.
    pub fn new(mut data: Vec<u8>, error: String, max: u64) -> Partial {
        data.truncate(usize::try_from(max).unwrap_or(usize::MAX));
        Partial { data, error }
    }
}

/// The bytes `data` decompresses to; an error, with the bytes decompressed before it, when it
/// is not a valid stream or decompresses to more than `max` bytes.
pub fn unpack(codec: Codec, data: &[u8], max: u64) -> Result<Vec<u8>, Partial> {
    let mut out = Vec::new();
    let read = match codec {
        Codec::Gzip | Codec::Zlib => return super::inflate::inflate(data, max),
        Codec::Bzip2 => read_within(bzip2::read::MultiBzDecoder::new(data), max, &mut out),
        Codec::Xz => read_within(xz::read::XzDecoder::new_multi_decoder(data), max, &mut out),
        Codec::Zstd => zstd_frames(data, max, &mut out),
    };
    match read {
        Ok(()) => Ok(out),
        Err(error) => Err(Partial::new(out, error, max)),
    }
}

/// Zstandard frames one after another, as `compression.zstd` reads them.
fn zstd_frames(mut input: &[u8], max: u64, out: &mut Vec<u8>) -> Result<(), String> {
    while !input.is_empty() {
        let frame = ruzstd::decoding::StreamingDecoder::new(&mut input)
            .map_err(|e| format!("invalid compressed data: {e}"))?;
        read_within(frame, max, out)?;
    }
    Ok(())
}

/// Appends what `reader` gives to `out` (what it gave before an error stays there); an error
/// past `max` bytes in all.
fn read_within(reader: impl Read, max: u64, out: &mut Vec<u8>) -> Result<(), String> {
    let room = max.saturating_sub(out.len() as u64);
    reader
        .take(room.saturating_add(1))
        .read_to_end(out)
        .map_err(|e| format!("invalid compressed data: {e}"))?;
    if out.len() as u64 > max {
        return Err(format!(
            "decompresses to more than the {max} bytes inspected"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "N." compressed by Python's bz2 and lzma modules.
    const BZ2: &[u8] = b"BZh91AY&SYu=\x1d\xd0\x00\x00\x00\x94\x00\x00\x01\x00\x01 \x00!\x00\x82\xb1w$S\x85\t\x07S\xd1\xdd\x00";
    const XZ: &[u8] = b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F\x02\x00!\x01\x16\x00\x00\x00t/\xe5\xa3\x01\x00\x01N.\x00\x00\x00o\x18)\x95\xe5\x15N8\x00\x01\x1a\x02\xdc.\xa5~\x1f\xb6\xf3}\x01\x00\x00\x00\x00\x04YZ";

    #[test]
    fn streams_and_streams_in_a_row() {
        assert_eq!(unpack(Codec::Bzip2, BZ2, 100).unwrap(), b"N.");
        assert_eq!(unpack(Codec::Xz, XZ, 100).unwrap(), b"N.");
        assert_eq!(unpack(Codec::Xz, &[XZ, XZ].concat(), 100).unwrap(), b"N.N.");
        assert_eq!(
            unpack(Codec::Bzip2, &[BZ2, BZ2].concat(), 100).unwrap(),
            b"N.N."
        );
        assert!(
            unpack(Codec::Bzip2, BZ2, 1)
                .unwrap_err()
                .error
                .contains("more than the 1 bytes")
        );
        assert!(
            unpack(Codec::Xz, b"\xfd7zXZ\x00garbage", 100)
                .unwrap_err()
                .error
                .starts_with("invalid compressed data")
        );
    }
}
