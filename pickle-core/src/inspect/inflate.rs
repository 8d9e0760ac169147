//! gzip and zlib streams, inflated up to a limit: joblib's compressed dumps and `.gz`
//! pickles are one of them around the pickle. Concatenated gzip members are read one after
//! another, as Python's `gzip` module reads them.

use super::unpack::Partial;
use zlib_rs::{Inflate, InflateFlush, Status};

/// Window bits asking for a zlib or a gzip header, whichever is there, with a 32 KiB window.
const ZLIB_OR_GZIP: u8 = 32 + 15;

const CHUNK: usize = 64 * 1024;

/// Whether `data` starts like a zlib stream (a deflate method byte and a header checksum).
pub fn is_zlib(data: &[u8]) -> bool {
    matches!(data, [cmf, flg, ..] if cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0)
}

/// The bytes `data` inflates to; an error, with the bytes inflated before it, when it is not
/// a valid stream or inflates to more than `max` bytes.
pub fn inflate(data: &[u8], max: u64) -> Result<Vec<u8>, Partial> {
    let mut out = Vec::new();
    let mut input = data;
    let mut stream = Inflate::new(true, ZLIB_OR_GZIP);
    loop {
        let mut chunk = vec![0; CHUNK];
        let before = (stream.total_in(), stream.total_out());
        let status = match stream.decompress(input, &mut chunk, InflateFlush::NoFlush) {
            Ok(status) => status,
            Err(e) => {
                let error = format!("invalid compressed data: {}", e.as_str());
                return Err(Partial::new(out, error, max));
            }
        };
        let consumed = (stream.total_in() - before.0) as usize;
        let produced = (stream.total_out() - before.1) as usize;
        input = &input[consumed..];
        out.extend_from_slice(&chunk[..produced]);
        if out.len() as u64 > max {
            let error = format!("inflates to more than the {max} bytes inspected");
            return Err(Partial::new(out, error, max));
        }
        match status {
            // A fresh state: `reset` would go back to zlib headers only.
            Status::StreamEnd if input.starts_with(b"\x1f\x8b") => {
                stream = Inflate::new(true, ZLIB_OR_GZIP)
            }
            Status::StreamEnd => return Ok(out),
            _ if consumed == 0 && produced == 0 => {
                let error = "compressed data ended before the end of the stream".into();
                return Err(Partial::new(out, error, max));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "N." deflated with a zlib header, and with a gzip one (written by Python's zlib and
    /// gzip modules, mtime 0).
    const ZLIB: &[u8] = b"x\x9c\xf3\xd3\x03\x00\x00\xcc\x00}";
    const GZIP: &[u8] =
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xf3\xd3\x03\x00\xbb}\xf5\xf3\x02\x00\x00\x00";

    #[test]
    fn zlib_and_gzip_streams_and_gzip_members_in_a_row() {
        assert!(is_zlib(ZLIB));
        assert!(!is_zlib(b"\x80\x02N."));
        assert_eq!(inflate(ZLIB, 100).unwrap(), b"N.");
        assert_eq!(inflate(GZIP, 100).unwrap(), b"N.");
        let two = [GZIP, GZIP].concat();
        assert_eq!(inflate(&two, 100).unwrap(), b"N.N.");
    }

    #[test]
    fn truncated_corrupt_and_oversized_streams_are_errors() {
        assert!(
            inflate(&GZIP[..12], 100)
                .unwrap_err()
                .error
                .contains("ended before")
        );
        let mut bad = ZLIB.to_vec();
        bad[2] = 0xff;
        assert!(
            inflate(&bad, 100)
                .unwrap_err()
                .error
                .starts_with("invalid compressed data")
        );
        assert!(
            inflate(GZIP, 1)
                .unwrap_err()
                .error
                .contains("more than the 1 bytes")
        );
    }
}
