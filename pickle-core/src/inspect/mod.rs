//! Looking inside an untrusted pickle without loading it: every global, call, persistent id
//! and out-of-band buffer the loader would use, and a verdict against an allow-list.
//!
//! The pickle is read by the same decoder the loader uses, into a graph, so a call's callable
//! is found through MARKs, the memo and STACK_GLOBAL exactly as the loader finds it, and
//! Python 2 names are mapped as the loader's `fix_imports` maps them. Nothing is imported or
//! called.
//!
//! ```
//! use pickle_core::decoder::Limits;
//! use pickle_core::inspect::{AllowList, Verdict, inspect};
//!
//! // The classic: cos\nsystem\n(S'echo hi'\ntR.
//! let report = inspect(b"cos\nsystem\n(S'echo hi'\ntR.", &Limits::UNTRUSTED, &AllowList::safe_default());
//! assert_eq!(report.calls[0].callable, "os.system");
//! assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
//!
//! // A set pickled at protocol 2 uses builtins.set, which the default allows.
//! let report = inspect(b"\x80\x02c__builtin__\nset\nq\x00]q\x01K\x01a\x85q\x02Rq\x03.", &Limits::UNTRUSTED, &AllowList::safe_default());
//! assert_eq!(report.globals[0].resolved, "builtins.set");
//! assert_eq!(report.verdict(), Verdict::Safe);
//! ```

mod allow;
pub mod container;
mod describe;
mod file_reading;
pub mod inflate;
mod joblib;
pub mod npy;
mod recorder;
mod report;
pub mod sarif;
pub mod tar;
pub mod unpack;
pub mod zip;

pub use allow::{AllowList, DEFAULT_ALLOWED, StringEncoding};

use crate::decoder::{Limits, Memo, load};
use crate::error::PickleError;

/// A global the loader's `find_class` would be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalUse {
    /// The opcode that names it: GLOBAL, STACK_GLOBAL or INST.
    pub opcode: &'static str,
    /// The module as written in the pickle.
    pub module: String,
    /// The name as written.
    pub name: String,
    /// `module.name` as the loader looks it up (Python 2 names mapped below protocol 3).
    pub resolved: String,
    /// Whether the allow-list allows it.
    pub allowed: bool,
    /// Where its opcode starts in the pickle.
    pub offset: u64,
}

/// A call the loader would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallUse {
    /// REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ; or APPEND, SETITEM, ADDITEMS or BUILD when
    /// they would call a method of a global object.
    pub opcode: &'static str,
    /// What is called: `module.name` for a global, else a description of the object.
    pub callable: String,
    /// Whether the callable is a global (else another object: a call's result, say).
    pub of_global: bool,
    /// Whether the callable is an allowed global.
    pub allowed: bool,
    /// Where its opcode starts in the pickle.
    pub offset: u64,
}

/// An out-of-band buffer the loader would take from `buffers=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferUse {
    /// Which buffer, counting from 0.
    pub index: usize,
    /// Whether READONLY_BUFFER was applied to it.
    pub readonly: bool,
}

/// A tensor a PyTorch checkpoint rebuilds (`torch._utils._rebuild_tensor_v2` and its kin)
/// from a storage named by a persistent id: what it is, without reading its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorUse {
    /// The storage's key: the archive's `data/KEY` member (or the legacy format's key).
    pub storage_key: String,
    /// The element type, from the storage's type (`torch.FloatStorage` is `float32`), or
    /// the storage type's name when it is not a typed one.
    pub dtype: String,
    /// The tensor's shape, as the rebuild call gives it.
    pub shape: Vec<i64>,
    /// Where the storage was saved from (`cpu`, `cuda:0`).
    pub location: String,
    /// How many elements the persistent id says the storage holds.
    pub storage_numel: Option<u64>,
}

impl TensorUse {
    /// Bytes per element of its dtype, when it is one of the typed storages'.
    pub fn element_size(&self) -> Option<u64> {
        Some(match self.dtype.as_str() {
            "bool" | "int8" | "uint8" => 1,
            "float16" | "bfloat16" | "int16" => 2,
            "float32" | "int32" => 4,
            "float64" | "int64" | "complex64" => 8,
            "complex128" => 16,
            _ => return None,
        })
    }
}

/// A pickle handed to a loading function (`pickle.loads`, `torch.load`...) as the bytes
/// argument of a call the pickle makes: the loader would unpickle it in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedPickle {
    /// The loading function, `module.name`.
    pub callable: String,
    /// The bytes it would be given (directly, or wrapped in `io.BytesIO`).
    pub data: Vec<u8>,
}

/// What a pickle would use, in the order the loader would use it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Globals, in order (INST's class included).
    pub globals: Vec<GlobalUse>,
    /// Calls, in order.
    pub calls: Vec<CallUse>,
    /// Persistent ids passed to `persistent_load`, described.
    pub persistent_ids: Vec<String>,
    /// Extension codes, resolved by the loading process's copyreg registry.
    pub extensions: Vec<i32>,
    /// Out-of-band buffers.
    pub buffers: Vec<BufferUse>,
    /// Pickles given as bytes to loading functions the pickle calls, in call order.
    pub nested: Vec<NestedPickle>,
    /// Tensors rebuilt from persistent storages, in call order.
    pub tensors: Vec<TensorUse>,
    /// Where an argument crosses a frame's end, which `pickle.load(file)` reads otherwise
    /// than `loads` (and the pure-Python unpickler refuses): offsets of the dropped bytes.
    pub frame_straddles: Vec<u64>,
    /// What the profile's loader refuses beyond its allow-list (`torch.load` with
    /// `weights_only=True`: SETITEM(S) or BUILD on a tensor, a view past its storage's end),
    /// each naming the rule.
    pub refused: Vec<String>,
    /// Where reading stopped, for a pickle that is not well formed (what comes before is
    /// still reported: the loader would have used it before failing).
    pub error: Option<PickleError>,
}

/// The outcome of an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything the pickle uses is allowed.
    Safe,
    /// Why not: one line per problem.
    Unsafe(Vec<String>),
    /// The pickle cannot be read (the error), whatever it used before.
    Malformed(String),
}

impl Report {
    /// Safe, unsafe (with the reasons) or malformed.
    pub fn verdict(&self) -> Verdict {
        if let Some(error) = &self.error {
            return Verdict::Malformed(format!("{error} (at byte {})", error.offset));
        }
        let problems = self.problems();
        if problems.is_empty() {
            Verdict::Safe
        } else {
            Verdict::Unsafe(problems)
        }
    }

    /// Everything not allowed: globals, calls of anything but an allowed global, extension
    /// codes (which the process's registry could map to any global), arguments crossing a
    /// frame's end, and what the profile's loader refuses.
    pub fn problems(&self) -> Vec<String> {
        self.located_problems()
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    /// [`Report::problems`], each with its kind and, where it has one, the offset in the
    /// pickle where it starts.
    pub fn located_problems(&self) -> Vec<Problem> {
        let problem = |kind, text, offset| Problem { kind, text, offset };
        let globals = self.globals.iter().filter(|g| !g.allowed).map(|g| {
            let text = format!("global {} is not allowed", g.resolved);
            problem(ProblemKind::Global, text, Some(g.offset))
        });
        let calls = self.calls.iter().filter(|c| !c.allowed).map(|c| {
            let text = format!("{} calls {}, which is not allowed", c.opcode, c.callable);
            problem(ProblemKind::Call, text, Some(c.offset))
        });
        let extensions = self.extensions.iter().map(|code| {
            let text =
                format!("extension code {code} names a global only the loading process knows");
            problem(ProblemKind::Extension, text, None)
        });
        let straddles = self.frame_straddles.iter().map(|&at| {
            let text = format!(
                "an argument crosses a frame's end at byte {at}: pickle.load(file) reads \
                 the pickle otherwise than pickle.loads"
            );
            problem(ProblemKind::FrameStraddle, text, Some(at))
        });
        let refused = self
            .refused
            .iter()
            .map(|r| problem(ProblemKind::Refused, r.clone(), None));
        globals
            .chain(calls)
            .chain(extensions)
            .chain(straddles)
            .chain(refused)
            .collect()
    }
}

/// What kind of problem a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A global outside the allow-list.
    Global,
    /// A call of something outside the allow-list.
    Call,
    /// An extension code.
    Extension,
    /// An argument crossing a frame's end.
    FrameStraddle,
    /// What the profile's loader refuses ([`Report::refused`]).
    Refused,
}

/// One of a report's problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its kind.
    pub kind: ProblemKind,
    /// What it says, as [`Report::problems`] says it.
    pub text: String,
    /// Where it starts in the pickle, when that is known.
    pub offset: Option<u64>,
}

/// Reads the pickle at the start of `data` as the loader would, without importing or calling
/// anything, and reports what it would use.
pub fn inspect(data: &[u8], limits: &Limits, allow: &AllowList) -> Report {
    inspect_at(data, limits, allow).0
}

/// [`inspect`], and how many bytes the pickle took (to its STOP, or to where reading
/// stopped).
pub(crate) fn inspect_at(data: &[u8], limits: &Limits, allow: &AllowList) -> (Report, usize) {
    let mut recorder = recorder::Recorder::new(limits, allow);
    let mut source = file_reading::FramedReading::as_loads(data);
    let result = load(&mut source, &mut recorder, &mut Memo::new(), limits);
    let mut report = recorder.report;
    report.error = result.err();
    let used = source.pos();
    report.frame_straddles = source.straddles;
    if !report.frame_straddles.is_empty() {
        as_a_file_reads_it(data, limits, allow, &mut report);
    }
    (report, used)
}

/// Where an argument crossed a frame's end, `pickle.load(file)` reads `data` otherwise than
/// `loads` (file_reading.rs): what that reading would use joins the report, so the verdict
/// is the worse of the two, and each crossing is a problem of its own.
fn as_a_file_reads_it(data: &[u8], limits: &Limits, allow: &AllowList, report: &mut Report) {
    let mut recorder = recorder::Recorder::new(limits, allow);
    let mut source = file_reading::FramedReading::as_file(data);
    let _ = load(&mut source, &mut recorder, &mut Memo::new(), limits);
    for at in source.straddles {
        if !report.frame_straddles.contains(&at) {
            report.frame_straddles.push(at);
        }
    }
    let other = recorder.report;
    for global in other.globals {
        if !report.globals.contains(&global) {
            report.globals.push(global);
        }
    }
    for call in other.calls {
        if !report.calls.contains(&call) {
            report.calls.push(call);
        }
    }
    report.extensions.extend(other.extensions);
    report.nested.extend(other.nested);
    for refusal in other.refused {
        if !report.refused.contains(&refusal) {
            report.refused.push(refusal);
        }
    }
}
