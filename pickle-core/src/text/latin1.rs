//! Latin-1 and UTF-8 both ways, at memory speed: what every `bytes` pickled at protocols 0-2
//! goes through (`_codecs.encode(text, 'latin1')`). Random bytes are half two-byte characters
//! in UTF-8, in no order a branch predictor learns, so the loops here branch on nothing but
//! how far they move.

/// Whether `bytes` is UTF-8 whose code points are all below 256: ASCII, and two-byte
/// sequences led by C2 or C3. Each byte is ASCII, such a lead, or a continuation (80-BF);
/// a byte is a continuation exactly when the byte before it is a lead; the last is no lead.
/// The bytes are read in blocks with no branch on their values, so that the loop vectorizes
/// (random bytes pickled at protocol 2 are half leads, in an order no predictor learns).
pub(super) fn is_latin1_utf8(bytes: &[u8]) -> bool {
    const BLOCK: usize = 4096;
    let lead = |b: u8| b & 0xfe == 0xc2;
    let continuation = |b: u8| b & 0xc0 == 0x80;
    let other = |b: u8| b >= 0xc0 && !lead(b);
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    if continuation(first) || other(first) || lead(last) {
        return false;
    }
    // Pairs (byte before, byte), block by block, so that text that is not latin-1 (CJK, say)
    // stops at its first block.
    let mut start = 0;
    while start + 1 < bytes.len() {
        let end = (start + BLOCK).min(bytes.len() - 1);
        let bad = bytes[start..end]
            .iter()
            .zip(&bytes[start + 1..end + 1])
            .fold(false, |bad, (&before, &b)| {
                bad | (continuation(b) != lead(before)) | other(b)
            });
        if bad {
            return false;
        }
        start = end;
    }
    true
}

/// The size of the blocks the latin-1 conversions copy whole when they are ASCII.
const ASCII_BLOCK: usize = 64;

/// `data.decode('latin1')` as UTF-8: each byte is the code point of the same value.
pub fn latin1_to_utf8(data: &[u8]) -> Vec<u8> {
    let mut utf8 = Vec::new();
    latin1_to_utf8_into(data, &mut utf8);
    utf8
}

/// Appends `data.decode('latin1')` as UTF-8 to `out`.
pub(super) fn latin1_to_utf8_into(data: &[u8], out: &mut Vec<u8>) {
    // Two bytes written for every byte, the second kept only for a byte above 7F: no branch
    // on the bytes (random data is half high bytes, in no order a predictor learns).
    let mut len = out.len();
    out.resize(len + data.len() * 2, 0);
    for block in data.chunks(ASCII_BLOCK) {
        if block.is_ascii() {
            out[len..len + block.len()].copy_from_slice(block);
            len += block.len();
            continue;
        }
        for &b in block {
            let high = usize::from(b >= 0x80);
            let pair = &mut out[len..len + 2];
            pair[0] = if high == 1 { 0xc0 | (b >> 6) } else { b };
            pair[1] = 0x80 | (b & 0x3f);
            len += 1 + high;
        }
    }
    out.truncate(len);
}

/// The latin-1 character UTF-8 byte `b` starts, given the byte after it: `b` itself, or the
/// code point of a two-byte sequence led by C2 or C3. Chosen by a mask, not a branch: the
/// compiler made a branch of the plain `if`, which random bytes mispredict half the time.
#[inline(always)]
fn latin1_character(b: u8, next: u8) -> u8 {
    let lead = 0u8.wrapping_sub(u8::from(b & 0xfe == 0xc2));
    let two = ((b & 0x03) << 6) | (next & 0x3f);
    (two & lead) | (b & !lead)
}

/// The latin-1 bytes of UTF-8 (or WTF-8) text whose code points all fit a byte (what
/// `_codecs.encode(text, 'latin1')` makes of a protocol 0-2 pickle's `bytes`); `None` for any
/// other text. Each byte that starts a character writes one byte and a continuation byte
/// none, every position written alike, so that nothing depends on the bytes' values but
/// how far the output moves.
pub fn utf8_to_latin1(text: &[u8]) -> Option<Vec<u8>> {
    if text.is_ascii() {
        return Some(text.to_vec());
    }
    // Checked first, in the pass that vectorizes (checking in the loops below cost random
    // data half again).
    if !is_latin1_utf8(text) {
        return None;
    }
    let (&last, body) = text.split_last()?;
    let mut out = vec![0; text.len()];
    let mut j = 0;
    for (k, block) in body.chunks(ASCII_BLOCK).enumerate() {
        if block.is_ascii() {
            // Blocks of ASCII (half of `bytes(range(256)) * n`) are copied whole.
            out[j..j + block.len()].copy_from_slice(block);
            j += block.len();
            continue;
        }
        if block[0] & 0xfe == 0xc2 && block.len() % 2 == 0 && block.iter().all(|&b| b >= 0x80) {
            // Whole two-byte characters from a lead on (valid text alternates them): one
            // byte from each pair, at a fixed stride.
            for pair in block.chunks_exact(2) {
                out[j] = latin1_character(pair[0], pair[1]);
                j += 1;
            }
            continue;
        }
        let at = k * ASCII_BLOCK;
        for (i, &b) in block.iter().enumerate() {
            out[j] = latin1_character(b, text[at + i + 1]);
            j += usize::from(b & 0xc0 != 0x80);
        }
    }
    if last & 0xc0 != 0x80 {
        out[j] = last;
        j += 1;
    }
    out.truncate(j);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::random_text::Bytes;

    #[test]
    fn utf8_to_latin1_undoes_latin1_to_utf8_and_refuses_wider_text() {
        let mut random = Bytes(11);
        let data: Vec<u8> = (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect();
        assert_eq!(utf8_to_latin1(&latin1_to_utf8(&data)), Some(data));
        assert_eq!(utf8_to_latin1(b"plain"), Some(b"plain".to_vec()));
        assert_eq!(utf8_to_latin1("é€".as_bytes()), None);
        assert_eq!(utf8_to_latin1("\u{100}".as_bytes()), None);
        assert_eq!(utf8_to_latin1("x🎈".as_bytes()), None);
        assert_eq!(
            utf8_to_latin1(&[b'a', 0xc3]),
            None,
            "a lead byte at the end"
        );
        assert_eq!(utf8_to_latin1(b"\xed\xa0\x80"), None, "a surrogate");
    }

    #[test]
    fn latin1_to_utf8_is_each_bytes_code_point() {
        let mut random = Bytes(7);
        let data: Vec<u8> = (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect();
        let expected: String = data.iter().map(|&b| char::from(b)).collect();
        assert_eq!(latin1_to_utf8(&data), expected.into_bytes());
        assert_eq!(latin1_to_utf8(&[]), b"");
    }

    /// The latin-1 check agrees with its definition (valid UTF-8, every code point below 256)
    /// over random bytes, text with one byte changed, and lengths around its blocks.
    #[test]
    fn the_latin1_check_agrees_with_its_definition() {
        let definition = |bytes: &[u8]| {
            std::str::from_utf8(bytes).is_ok_and(|s| s.chars().all(|c| (c as u32) < 256))
        };
        let mut random = Bytes(42);
        for len in [0, 1, 2, 3, 4095, 4096, 4097, 4098, 8192, 8193, 12_289] {
            let data: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
            let text = latin1_to_utf8(&data);
            assert!(is_latin1_utf8(&text), "{len}");
            for at in [
                0,
                text.len() / 2,
                text.len().saturating_sub(1),
                4095,
                4096,
                4097,
            ] {
                for bad in [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xe2, 0xff, b'a'] {
                    let mut changed = text.clone();
                    if let Some(byte) = changed.get_mut(at) {
                        *byte = bad;
                        assert_eq!(
                            is_latin1_utf8(&changed),
                            definition(&changed),
                            "{len} {at} {bad:x}"
                        );
                    }
                }
            }
            assert_eq!(is_latin1_utf8(&data), definition(&data), "{len} random");
            assert_eq!(
                utf8_to_latin1(&data).is_some(),
                definition(&data),
                "{len} random"
            );
            // The blocks of whole two-byte characters, and of ASCII, that the conversion
            // takes at a stride.
            let pattern: Vec<u8> = (0..=255u8).cycle().take(len).collect();
            assert_eq!(utf8_to_latin1(&latin1_to_utf8(&pattern)), Some(pattern));
            // Blocks that start in the middle of a character.
            let shifted: Vec<u8> = std::iter::once(b'a')
                .chain(std::iter::repeat_n(0xe9, len))
                .collect();
            assert_eq!(utf8_to_latin1(&latin1_to_utf8(&shifted)), Some(shifted));
        }
        for pair in 0..=u16::MAX {
            let bytes = pair.to_be_bytes();
            assert_eq!(is_latin1_utf8(&bytes), definition(&bytes), "{bytes:x?}");
            assert_eq!(
                utf8_to_latin1(&bytes).is_some(),
                definition(&bytes),
                "{bytes:x?}"
            );
        }
        assert!(!is_latin1_utf8("€".as_bytes()));
    }
}
