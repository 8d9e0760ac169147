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

/// The length of `data.decode('latin1')` in UTF-8: one byte more for each byte above 7F.
/// Counted in runs short enough for a byte counter, a loop the compiler vectorizes.
pub fn latin1_utf8_len(data: &[u8]) -> usize {
    let high: usize = data
        .chunks(255)
        .map(|run| usize::from(run.iter().fold(0u8, |n, &b| n + (b >> 7))))
        .sum();
    data.len() + high
}

/// `data.decode('latin1')` as UTF-8: each byte is the code point of the same value. The
/// vector's capacity is its length (a str made of it keeps its allocation as it is).
pub fn latin1_to_utf8(data: &[u8]) -> Vec<u8> {
    let added = latin1_utf8_len(data);
    let mut utf8 = Vec::with_capacity(added);
    append_utf8(data, added, &mut utf8);
    utf8
}

/// Each byte's UTF-8 as a little-endian pair: the byte itself (and a zero the next
/// character overwrites) below 80, else its two bytes.
const UTF8_PAIRS: [u16; 256] = {
    let mut pairs = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = if b < 0x80 {
            b as u16
        } else {
            (0xc0 | (b >> 6)) as u16 | ((0x80 | (b & 0x3f)) as u16) << 8
        };
        b += 1;
    }
    pairs
};

/// Appends `data.decode('latin1')` as UTF-8 to `out`.
pub fn latin1_to_utf8_into(data: &[u8], out: &mut Vec<u8>) {
    // `reserve`, not `reserve_exact`: the unescape appends a run between each two escapes,
    // and growing to the exact size each time had copied the text over and over.
    let added = latin1_utf8_len(data);
    out.reserve(added);
    append_utf8(data, added, out);
}

/// Appends `data`'s UTF-8, `added` bytes long (its [`latin1_utf8_len`], which the caller
/// has counted already), to `out`.
pub(crate) fn append_utf8(data: &[u8], added: usize, out: &mut Vec<u8>) {
    debug_assert_eq!(added, latin1_utf8_len(data));
    let start = out.len();
    out.resize(start + added, 0);
    let utf8 = &mut out[start..];
    // Every byte writes its pair from a table, and the output moves by 1 or 2: no branch on
    // the bytes (random data is half high bytes, in no order a predictor learns). Blocks are
    // written through fixed windows while the windows fit, the rest byte by byte.
    let mut len = 0;
    let mut done = 0;
    for block in data.chunks_exact(ASCII_BLOCK) {
        if len + WINDOW > utf8.len() {
            break;
        }
        if block.is_ascii() {
            utf8[len..len + ASCII_BLOCK].copy_from_slice(block);
            len += ASCII_BLOCK;
        } else {
            let window = (&mut utf8[len..len + WINDOW]).try_into().expect("room");
            len += block_to_utf8(block.try_into().expect("a whole block"), window);
        }
        done += ASCII_BLOCK;
    }
    for &b in &data[done..] {
        let width = 1 + usize::from(b >> 7);
        utf8[len..len + width].copy_from_slice(&UTF8_PAIRS[usize::from(b)].to_le_bytes()[..width]);
        len += width;
    }
    debug_assert_eq!(start + len, out.len());
}

/// The output window of one block: two bytes for each of its bytes, and two more.
const WINDOW: usize = 2 * ASCII_BLOCK + 2;

/// One block's UTF-8 written at the front of `window`; its length. The pair is written at
/// `j` masked to the window (a no-op: `j` is at most 2 * 63 when written), so that the
/// compiler sees every write in bounds and checks none.
#[inline(always)]
fn block_to_utf8(block: &[u8; ASCII_BLOCK], window: &mut [u8; WINDOW]) -> usize {
    let mut j = 0;
    for &b in block {
        let at = j & (2 * ASCII_BLOCK - 1);
        window[at..at + 2].copy_from_slice(&UTF8_PAIRS[usize::from(b)].to_le_bytes());
        j += 1 + usize::from(b >> 7);
    }
    j
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
/// other text.
pub fn utf8_to_latin1(text: &[u8]) -> Option<Vec<u8>> {
    if text.is_ascii() {
        return Some(text.to_vec());
    }
    // Checked first, in the pass that vectorizes (checking in the loops below cost random
    // data half again).
    if !is_latin1_utf8(text) {
        return None;
    }
    Some(latin1_utf8_to_latin1(text))
}

/// The latin-1 bytes of text already known to be UTF-8 whose code points all fit a byte
/// (the decoder checked it; see [`utf8_to_latin1`] for text not known to be). Each byte that
/// starts a character writes one byte and a continuation byte none, every position written
/// alike, so that nothing depends on the bytes' values but how far the output moves. Other
/// text gives other bytes, never a fault.
pub fn latin1_utf8_to_latin1(text: &[u8]) -> Vec<u8> {
    debug_assert!(is_latin1_utf8(text));
    let Some((&last, body)) = text.split_last() else {
        return Vec::new();
    };
    // Appended block by block, never cleared first (clearing had cost a tenth).
    let mut out = Vec::with_capacity(text.len());
    for (k, block) in body.chunks(ASCII_BLOCK).enumerate() {
        // Folded, not `all`: a loop the compiler vectorizes (`all` stops at the first byte
        // that fails, byte by byte, and had been two fifths of the conversion).
        let (any, every) = block
            .iter()
            .fold((0u8, 0xffu8), |(any, every), &b| (any | b, every & b));
        if any < 0x80 {
            // Blocks of ASCII (half of `bytes(range(256)) * n`) are copied whole.
            out.extend_from_slice(block);
        } else if every >= 0x80 && block[0] & 0xfe == 0xc2 && block.len() % 2 == 0 {
            // Whole two-byte characters from a lead on (valid text alternates them): one
            // byte from each pair, read as one 16-bit number, at a fixed stride.
            out.extend(block.chunks_exact(2).map(|pair| {
                let pair = u16::from_le_bytes([pair[0], pair[1]]);
                (((pair & 0x03) << 6) | ((pair >> 8) & 0x3f)) as u8
            }));
        } else {
            // Each byte with the one after it (the body leaves out the last byte, so there
            // always is one).
            let at = k * ASCII_BLOCK;
            let following = &text[at + 1..at + 1 + block.len()];
            let mut window = [0; ASCII_BLOCK];
            let mut w = 0;
            for (&b, &next) in block.iter().zip(following) {
                // `w` counts the block's bytes so far: the mask changes nothing, but lets
                // the compiler see the write in bounds and check nothing.
                window[w & (ASCII_BLOCK - 1)] = latin1_character(b, next);
                w += usize::from(b & 0xc0 != 0x80);
            }
            out.extend_from_slice(&window[..w]);
        }
    }
    if last & 0xc0 != 0x80 {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::random_text::Bytes;

    /// Every byte value, then 10,000 random bytes from `seed`.
    fn every_byte_then_random(seed: u64) -> Vec<u8> {
        let mut random = Bytes(seed);
        (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect()
    }

    #[test]
    fn utf8_to_latin1_undoes_latin1_to_utf8_and_refuses_wider_text() {
        let data = every_byte_then_random(11);
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

    /// Both conversions at every length around their blocks and windows, for random bytes,
    /// ASCII with one high byte, and the two-byte runs of `bytes(range(256))`.
    #[test]
    fn the_conversions_hold_at_every_length() {
        let mut random = Bytes(3);
        for len in (0..300).chain([4095, 4096, 4097, 65_537]) {
            let noise: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
            let mut one_high = vec![b'a'; len];
            if let Some(b) = one_high.get_mut(len * 2 / 3) {
                *b = 0xff;
            }
            let pattern: Vec<u8> = (0..=255u8).cycle().skip(len % 7 * 20).take(len).collect();
            for data in [noise, one_high, pattern] {
                let expected: String = data.iter().map(|&b| char::from(b)).collect();
                let utf8 = latin1_to_utf8(&data);
                assert_eq!(utf8, expected.as_bytes(), "{len}");
                assert_eq!(utf8.capacity(), utf8.len());
                assert_eq!(latin1_utf8_len(&data), utf8.len());
                let mut appended = b"x".to_vec();
                latin1_to_utf8_into(&data, &mut appended);
                assert_eq!(appended[1..], utf8[..]);
                assert_eq!(latin1_utf8_to_latin1(&utf8), data, "{len}");
            }
        }
    }

    /// Appending run after run (the unescape's runs between escapes) grows the vector
    /// geometrically: growing it to the exact size each time had copied it once per run.
    #[test]
    fn appending_runs_grows_the_vector_geometrically() {
        let mut out = Vec::new();
        let mut capacities = std::collections::BTreeSet::new();
        for _ in 0..1000 {
            latin1_to_utf8_into(b"ab\xe9", &mut out);
            capacities.insert(out.capacity());
        }
        assert_eq!(out.len(), 4000);
        assert!(capacities.len() < 20, "{} sizes", capacities.len());
    }

    #[test]
    fn latin1_to_utf8_is_each_bytes_code_point() {
        let data = every_byte_then_random(7);
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
