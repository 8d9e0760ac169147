//! NumPy's `.npy` format, as far as a scanner needs it: where the array data starts and
//! whether it is a pickle. `numpy.save` writes the magic `\x93NUMPY`, a version, the length
//! of a header (2 bytes in version 1, 4 in versions 2 and 3), the header (a Python dict
//! literal with `descr`, `fortran_order` and `shape`), then the data: raw numbers, or, when
//! the dtype holds Python objects, a pickle of the array, which `numpy.load(...,
//! allow_pickle=True)` loads.

/// The magic that starts every `.npy` file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// What the header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header text, as written.
    pub text: String,
    /// Whether the dtype holds objects (a type code `O` anywhere in it), so that the data is
    /// a pickle.
    pub has_object: bool,
    /// Where the data starts.
    pub data_offset: usize,
}

/// Reads the header at the start of `data`; an error says what is wrong, as NumPy's
/// `read_array_header` would refuse it.
pub fn header(data: &[u8]) -> Result<Header, String> {
    if !data.starts_with(MAGIC) {
        return Err("the magic string is not correct; expected b'\\x93NUMPY'".into());
    }
    let (major, minor) = match data.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => return Err("EOF: reading magic string".into()),
    };
    let (length, start): (Option<usize>, usize) = match major {
        1 => (
            data.get(8..10)
                .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]]))),
            10,
        ),
        2 | 3 => (
            data.get(8..12)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize),
            12,
        ),
        _ => {
            return Err(format!(
                "we only support format version (1,0), (2,0), and (3,0), not ({major}, {minor})"
            ));
        }
    };
    let length = length.ok_or("EOF: reading array header length")?;
    let raw = data
        .get(start..start.saturating_add(length))
        .ok_or("EOF: reading array header")?;
    // Version 3 headers are UTF-8, earlier ones latin-1.
    let text = if major == 3 {
        String::from_utf8_lossy(raw).into_owned()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    Ok(Header {
        has_object: names_object_type(&text),
        text,
        data_offset: start + length,
    })
}

/// Whether any quoted string of the header is a type code for objects (`O`, with an optional
/// byte order and size: `|O`, `<O8`): found in a plain descr and in a structured one's
/// fields alike. A field named like one also counts; a pickle is then looked for and, if
/// the data is not one, the verdict says it is malformed rather than safe.
fn names_object_type(text: &str) -> bool {
    let mut quoted = text.split(['\'', '"']).skip(1).step_by(2);
    quoted.any(|s| {
        let code = s.trim_start_matches(['<', '>', '|', '=']);
        code.starts_with('O') && code[1..].chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, version: u8) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(b"DATA");
        out
    }

    #[test]
    fn object_dtypes_are_told_from_numeric_ones() {
        let cases = [
            (
                "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n",
                true,
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n",
                false,
            ),
            (
                "{'descr': [('a', '<i8'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }\n",
                true,
            ),
            (
                "{'descr': '<U5', 'fortran_order': False, 'shape': (), }\n",
                false,
            ),
        ];
        for (text, has_object) in cases {
            for version in [1, 2, 3] {
                let data = npy(text, version);
                let header = header(&data).unwrap();
                assert_eq!(header.has_object, has_object, "{text}");
                assert_eq!(&data[header.data_offset..], b"DATA");
                assert_eq!(header.text, text);
            }
        }
    }

    #[test]
    fn what_numpy_refuses() {
        assert!(
            header(b"\x93NUMPX\x01\x00")
                .unwrap_err()
                .starts_with("the magic string")
        );
        assert_eq!(
            header(b"\x93NUMPY\x04\x00").unwrap_err(),
            "we only support format version (1,0), (2,0), and (3,0), not (4, 0)"
        );
        assert_eq!(
            header(b"\x93NUMPY\x01\x00\xff\x00{").unwrap_err(),
            "EOF: reading array header"
        );
    }
}
