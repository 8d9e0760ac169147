//! Appending a short opcode, its short payload and a short trailer in one step.
//!
//! A large pickle is mostly small strings, and copying a slice of unknown length calls
//! `memcpy`, whose call costs more than the few bytes it moves. Here the pieces go straight
//! into the vector's spare room with copies of fixed sizes (which compile to plain loads and
//! stores), and the length is set once at the end. The safe ways measured slower on a list of
//! 2 million short strings (benches/serde_pickle.rs): appending cleared room and cutting it
//! back by about 10% (every string pays for the clearing), plain `extend_from_slice` by about
//! 15%, and assembling the pieces in a stack array and appending that by 70% (the processor
//! cannot forward bytes stored piecewise to the wide load that copies them, and stalls on
//! every string).

use std::mem::MaybeUninit;

/// The longest payload [`append_staged`] takes.
pub(super) const STAGED_PAYLOAD_MAX: usize = 32;
/// The longest header or trailer [`append_staged`] takes.
const PIECE_MAX: usize = 8;
/// Room for a header, a payload and a trailer at their longest.
const STAGE_SIZE: usize = PIECE_MAX + STAGED_PAYLOAD_MAX + PIECE_MAX;

/// Appends `header`, `payload` and `trailer` to `out`. `payload` is at most
/// [`STAGED_PAYLOAD_MAX`] bytes, `header` and `trailer` at most 8 (pieces that do not fit
/// the room panic).
#[inline(always)]
pub(super) fn append_staged(out: &mut Vec<u8>, header: &[u8], payload: &[u8], trailer: &[u8]) {
    out.reserve(STAGE_SIZE);
    let start = out.len();
    // Indexing checks the bounds below: a piece too long panics rather than writes past.
    let room = &mut out.spare_capacity_mut()[..STAGE_SIZE];
    let mut end = header.len();
    room[..end].write_copy_of_slice(header);
    copy_short(&mut room[end..end + STAGED_PAYLOAD_MAX], payload);
    end += payload.len();
    room[end..end + trailer.len()].write_copy_of_slice(trailer);
    end += trailer.len();
    // SAFETY: `end` bytes of spare room were reserved and every one of them was written
    // just now: the header, the payload (copy_short writes all of its `payload.len()`
    // bytes) and the trailer, back to back from `start`.
    unsafe { out.set_len(start + end) };
}

/// Appends a few bytes whose number is known at compile time: a store or two, where
/// `extend_from_slice` is a call once the function writing is large (the compiler stops
/// inlining it into the big functions serde derives, and every opcode paid for a call).
#[inline(always)]
pub(super) fn append_fixed<const N: usize>(out: &mut Vec<u8>, bytes: [u8; N]) {
    out.reserve(N);
    let start = out.len();
    out.spare_capacity_mut()[..N].write_copy_of_slice(&bytes);
    // SAFETY: `N` bytes of spare room were reserved and all of them were written just now.
    unsafe { out.set_len(start + N) };
}

/// Appends the first `packed >> 56` bytes (at most 7) of `packed`'s little-endian bytes:
/// one 8-byte store, the unused bytes landing in spare room past the new length.
#[inline(always)]
pub(super) fn append_packed(out: &mut Vec<u8>, packed: u64) {
    let len = (packed >> 56) as usize & 7;
    out.reserve(8);
    let start = out.len();
    out.spare_capacity_mut()[..8].write_copy_of_slice(&packed.to_le_bytes());
    // SAFETY: 8 bytes of spare room were reserved and written just now, and `len` is at
    // most 7 (masked).
    unsafe { out.set_len(start + len) };
}

/// Writes `src` (at most 32 bytes) to the front of `dst` (at least 32 bytes) as two copies
/// of one fixed size that overlap as needed, so every byte of `dst[..src.len()]` is written.
#[inline(always)]
fn copy_short(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        dst[..16].write_copy_of_slice(&src[..16]);
        dst[n - 16..n].write_copy_of_slice(&src[n - 16..]);
    } else if n >= 8 {
        dst[..8].write_copy_of_slice(&src[..8]);
        dst[n - 8..n].write_copy_of_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].write_copy_of_slice(&src[..4]);
        dst[n - 4..n].write_copy_of_slice(&src[n - 4..]);
    } else if n > 0 {
        // 1 to 3 bytes: the first, the middle and the last cover them all.
        dst[0].write(src[0]);
        dst[n / 2].write(src[n / 2]);
        dst[n - 1].write(src[n - 1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_opcode_appends_its_own_length() {
        let mut out = vec![0xaa];
        append_packed(&mut out, u64::from_le_bytes([b'h', 7, 1, 2, 3, 4, 5, 2]));
        append_packed(&mut out, u64::from_le_bytes([b'j', 1, 2, 3, 4, 9, 9, 5]));
        assert_eq!(out, [0xaa, b'h', 7, b'j', 1, 2, 3, 4]);
    }

    #[test]
    fn every_payload_length_comes_out_whole() {
        let source: Vec<u8> = (1..=STAGED_PAYLOAD_MAX as u8).collect();
        for len in 0..=STAGED_PAYLOAD_MAX {
            let mut out = vec![0xaa];
            append_staged(&mut out, &[1, 2], &source[..len], &[9, 8, 7]);
            let mut expected = vec![0xaa, 1, 2];
            expected.extend_from_slice(&source[..len]);
            expected.extend_from_slice(&[9, 8, 7]);
            assert_eq!(out, expected, "payload of {len} bytes");
        }
    }

    #[test]
    fn longest_pieces_fit() {
        let mut out = Vec::new();
        let payload = [b'p'; STAGED_PAYLOAD_MAX];
        append_staged(&mut out, &[b'h'; PIECE_MAX], &payload, &[b't'; PIECE_MAX]);
        assert_eq!(out.len(), STAGE_SIZE);
        assert_eq!(&out[..PIECE_MAX], &[b'h'; PIECE_MAX]);
        assert_eq!(&out[PIECE_MAX + STAGED_PAYLOAD_MAX..], &[b't'; PIECE_MAX]);
    }

    #[test]
    fn fixed_bytes_follow_what_is_there() {
        let mut out = vec![1];
        append_fixed(&mut out, [2, 3, 4]);
        append_fixed(&mut out, [5]);
        assert_eq!(out, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn empty_header_and_trailer() {
        let mut out = Vec::new();
        append_staged(&mut out, &[], b"abcde", &[]);
        assert_eq!(out, b"abcde");
    }
}
