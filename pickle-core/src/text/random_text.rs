//! A small deterministic generator of bytes and texts for the text tests.

use super::utf8::push_code_point;

/// A small deterministic generator (xorshift), for texts of every shape.
pub(crate) struct Bytes(pub(crate) u64);

impl Bytes {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Generalized UTF-8 of `n` code points drawn from ASCII (the escaped ones among
    /// them), latin-1, the BMP, surrogates and the astral planes.
    pub(crate) fn text(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..n {
            let cp = match self.next() % 6 {
                0 => [0, 0x0a, 0x0d, 0x1a, 0x5c][(self.next() % 5) as usize],
                1 => (self.next() % 0x80) as u32,
                2 | 3 => 0x80 + (self.next() % 0x80) as u32,
                4 => 0x100 + (self.next() % 0xff00) as u32,
                _ => 0x10000 + (self.next() % 0x100000) as u32,
            };
            push_code_point(&mut out, cp);
        }
        out
    }
}
