//! Text conversions pickle needs: UTF-8 that may hold lone surrogates (what CPython's
//! `surrogatepass` writes; `utf8.rs`), latin-1 both ways (`latin1.rs`), raw-unicode-escape
//! both ways (`escape.rs`), and Python's literals and reprs (`literals.rs`).

mod escape;
mod latin1;
mod literals;
#[cfg(test)]
mod random_text;
mod utf8;

pub(crate) use escape::escape_latin1;
pub use escape::{Unescaped, raw_unicode_escape, raw_unicode_unescape, raw_unicode_unescape_text};
pub(crate) use latin1::append_utf8;
pub use latin1::{
    latin1_to_utf8, latin1_to_utf8_into, latin1_utf8_len, latin1_utf8_to_latin1, utf8_to_latin1,
};
pub use literals::{
    IntLiteral, float_repr, parse_float_line, parse_int_line, py_repr_code_points, py_str_repr,
    string_literal,
};
pub use utf8::{
    TextKind, check_surrogatepass_utf8, classify_surrogatepass_utf8, code_points,
    is_surrogatepass_utf8, push_code_point,
};
