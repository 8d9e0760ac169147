//! `pickletools.optimize`: the same pickle without the memo stores nothing reads back, memo
//! indices renumbered from 0, and frames rebuilt, byte for byte as pickletools writes it.

use super::{DisError, next_op};
use crate::error::PickleError;
use crate::opcodes::op;
use crate::reader::{SliceSource, Source};
use num_bigint::BigInt;
use std::collections::{HashMap, HashSet};

/// pickle.py's frame size target: a frame is closed once it holds this much.
const FRAME_SIZE_TARGET: usize = 64 * 1024;
/// Frames smaller than this are written without a FRAME header.
const FRAME_SIZE_MIN: usize = 4;
/// The highest protocol pickle.py writes; a larger PROTO makes its Pickler refuse.
const HIGHEST_PROTOCOL: u8 = 5;

/// What the rewritten pickle is made of, in order.
enum Piece {
    /// A memo store of the input's index.
    Put(BigInt),
    /// A memo fetch of the input's index.
    Get(BigInt),
    /// Input bytes copied as they are (one opcode with its argument).
    Copy(usize, usize),
}

/// The input taken apart as pickletools' optimize does.
struct Plan {
    pieces: Vec<Piece>,
    /// Memo indices some GET reads, with their new index once their PUT has been written.
    read_back: HashMap<BigInt, Option<u32>>,
    proto: u8,
    header: (usize, usize),
}

/// Rewrites the pickle at the start of `data` as `pickletools.optimize(data)` does. Errors
/// are the ones pickletools raises for a pickle it cannot read, and a GET of a memo index no
/// PUT stored, which pickletools itself cannot write either (it fails or writes `gNone`).
///
/// ```
/// use pickle_core::disasm::optimize;
/// // pickle.dumps([1, 2], 2): the list's BINPUT is never read back.
/// let data = b"\x80\x02]q\x00(K\x01K\x02e.";
/// assert_eq!(optimize(data).unwrap(), b"\x80\x02](K\x01K\x02e.");
/// ```
pub fn optimize(data: &[u8]) -> Result<Vec<u8>, DisError> {
    let plan = plan(data)?;
    write(data, plan)
}

fn plan(data: &[u8]) -> Result<Plan, DisError> {
    let mut src = SliceSource::new(data);
    let mut stored: HashSet<BigInt> = HashSet::new();
    let mut plan = Plan {
        pieces: Vec::new(),
        read_back: HashMap::new(),
        proto: 0,
        header: (0, 0),
    };
    loop {
        let opcode = next_op(&mut src)?;
        let start = opcode.offset as usize;
        let end = Source::<PickleError>::position(&src) as usize;
        let int = || {
            opcode
                .arg
                .int
                .clone()
                .expect("memo opcodes have integer arguments")
        };
        match opcode.code {
            op::PUT | op::BINPUT | op::LONG_BINPUT => {
                let idx = int();
                stored.insert(idx.clone());
                plan.pieces.push(Piece::Put(idx));
            }
            op::MEMOIZE => {
                // pickletools numbers MEMOIZE by how many distinct indices it has seen.
                let idx = BigInt::from(stored.len());
                stored.insert(idx.clone());
                plan.pieces.push(Piece::Put(idx));
            }
            op::FRAME => {}
            op::GET | op::BINGET | op::LONG_BINGET => {
                plan.proto = plan.proto.max(opcode.info.proto);
                let idx = int();
                plan.read_back.insert(idx.clone(), None);
                plan.pieces.push(Piece::Get(idx));
            }
            op::PROTO => {
                let version = u8::try_from(int()).expect("PROTO's argument is one byte");
                plan.proto = plan.proto.max(version);
                if start == 0 {
                    plan.header = (start, end);
                } else {
                    plan.pieces.push(Piece::Copy(start, end));
                }
            }
            _ => plan.pieces.push(Piece::Copy(start, end)),
        }
        if opcode.code == op::STOP {
            return Ok(plan);
        }
    }
}

fn write(data: &[u8], mut plan: Plan) -> Result<Vec<u8>, DisError> {
    if plan.proto > HIGHEST_PROTOCOL {
        return Err(DisError::value(format!(
            "pickle protocol must be <= {HIGHEST_PROTOCOL}"
        )));
    }
    let mut out = Framer {
        out: data[plan.header.0..plan.header.1].to_vec(),
        frame: (plan.proto >= 4).then(Vec::new),
    };
    let mut next_index = 0u32;
    for piece in &plan.pieces {
        match piece {
            Piece::Put(old) => {
                let Some(new) = plan.read_back.get_mut(old) else {
                    continue;
                };
                *new = Some(next_index);
                out.commit(false);
                out.write(&put(plan.proto, next_index));
                next_index = next_index
                    .checked_add(1)
                    .ok_or_else(|| DisError::value("more than 2**32 memo entries"))?;
            }
            Piece::Get(old) => {
                let Some(&Some(new)) = plan.read_back.get(old) else {
                    return Err(DisError::value(format!(
                        "memo key {old} has never been stored into"
                    )));
                };
                out.commit(false);
                out.write(&get(plan.proto, new));
            }
            &Piece::Copy(start, end) => {
                let bytes = &data[start..end];
                // Large opcodes go straight to the output, outside any frame.
                let frameless = bytes.len() > FRAME_SIZE_TARGET;
                out.commit(frameless);
                if frameless {
                    out.out.extend_from_slice(bytes);
                } else {
                    out.write(bytes);
                }
            }
        }
    }
    out.end();
    Ok(out.out)
}

/// pickle.py's `Pickler.put` at protocol `proto`.
fn put(proto: u8, index: u32) -> Vec<u8> {
    if proto >= 4 {
        vec![op::MEMOIZE]
    } else {
        memo_opcode(proto, index, [op::PUT, op::BINPUT, op::LONG_BINPUT])
    }
}

/// pickle.py's `Pickler.get` at protocol `proto`.
fn get(proto: u8, index: u32) -> Vec<u8> {
    memo_opcode(proto, index, [op::GET, op::BINGET, op::LONG_BINGET])
}

/// The text, one-byte or four-byte form of a memo opcode.
fn memo_opcode(proto: u8, index: u32, [text, short, long]: [u8; 3]) -> Vec<u8> {
    if proto == 0 {
        format!("{}{index}\n", char::from(text)).into_bytes()
    } else if let Ok(byte) = u8::try_from(index) {
        vec![short, byte]
    } else {
        let mut bytes = vec![long];
        bytes.extend_from_slice(&index.to_le_bytes());
        bytes
    }
}

/// pickle.py's `_Framer`, as optimize drives it: a frame is committed before an opcode once it
/// has reached the target size, or when the next opcode is written outside frames.
struct Framer {
    out: Vec<u8>,
    frame: Option<Vec<u8>>,
}

impl Framer {
    fn write(&mut self, bytes: &[u8]) {
        match &mut self.frame {
            Some(frame) => frame.extend_from_slice(bytes),
            None => self.out.extend_from_slice(bytes),
        }
    }

    fn commit(&mut self, force: bool) {
        let Some(frame) = &mut self.frame else {
            return;
        };
        if frame.len() >= FRAME_SIZE_TARGET || force {
            if frame.len() >= FRAME_SIZE_MIN {
                self.out.push(op::FRAME);
                self.out
                    .extend_from_slice(&(frame.len() as u64).to_le_bytes());
            }
            self.out.append(frame);
        }
    }

    fn end(&mut self) {
        if self.frame.as_ref().is_some_and(|f| !f.is_empty()) {
            self.commit(true);
        }
        self.frame = None;
    }
}
