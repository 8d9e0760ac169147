//! Which globals a pickle may use: exact `module.name` entries and `module.*` patterns.

/// Globals that plain data pickled by CPython (and Python 2) uses, none of which can run
/// code chosen by the pickle: constructors of built-in value types, the copyreg helpers
/// protocols 0-2 write for objects (they only call `__new__`/`__init__` of classes that are
/// themselves checked), `_codecs.encode` (bytes below protocol 3), and common value types of
/// the standard library.
pub const DEFAULT_ALLOWED: &[&str] = &[
    "builtins.bool",
    "builtins.bytearray",
    "builtins.bytes",
    "builtins.complex",
    "builtins.dict",
    "builtins.Ellipsis",
    "builtins.float",
    "builtins.frozenset",
    "builtins.int",
    "builtins.list",
    "builtins.NotImplemented",
    "builtins.object",
    "builtins.range",
    "builtins.set",
    "builtins.slice",
    "builtins.str",
    "builtins.tuple",
    "_codecs.encode",
    "codecs.encode",
    "copyreg._reconstructor",
    "copyreg.__newobj__",
    "copyreg.__newobj_ex__",
    "collections.Counter",
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.deque",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "fractions.Fraction",
    "uuid.UUID",
];

/// The torch profile's entries beyond the default.
const TORCH_PROFILE: &str = include_str!("profiles/torch.txt");

/// A set of allowed globals. An entry is `module.name` (the name may be dotted, for nested
/// classes: `pkg.mod.Outer.Inner`), or `module.*` for every top-level name of a module (not
/// names reached through attributes: `os.*` allows `os.getcwd` but not `os.path.join`).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    exact: Vec<(String, String)>,
    modules: Vec<String>,
    /// Whether the loader is `torch.load(..., weights_only=True)`, whose rules beyond the
    /// allow-list (what it refuses to do to a tensor) are checked too.
    torch_rules: bool,
    /// How the loader decodes Python 2's string opcodes.
    encoding: StringEncoding,
}

/// How the loader decodes the old string opcodes (STRING, BINSTRING, SHORT_BINSTRING):
/// `pickle.load`'s `encoding`. It decides what STACK_GLOBAL and a call are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StringEncoding {
    /// `encoding='ASCII'`, Python 3's default: a byte above 127 fails the load there.
    #[default]
    Ascii,
    /// `encoding='latin1'` (NumPy's Python 2 pickles are read so): every byte decodes.
    Latin1,
    /// `encoding='bytes'`: the strings stay bytes (STACK_GLOBAL refuses them).
    Bytes,
}

impl StringEncoding {
    /// The encoding `pickle.load` is given as `name`, as its codec lookup spells it.
    pub fn from_name(name: &str) -> Option<StringEncoding> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "ascii" | "us-ascii" => Some(StringEncoding::Ascii),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1" => {
                Some(StringEncoding::Latin1)
            }
            "bytes" => Some(StringEncoding::Bytes),
            _ => None,
        }
    }
}

impl AllowList {
    /// An empty list: nothing is allowed.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Whether the rules of `torch.load(..., weights_only=True)` beyond its allow-list are
    /// checked (the `torch` profile).
    pub fn torch_rules(&self) -> bool {
        self.torch_rules
    }

    /// How the loader decodes the old string opcodes (ASCII unless set).
    pub fn encoding(&self) -> StringEncoding {
        self.encoding
    }

    /// Inspects as a loader called with `encoding` reads.
    pub fn set_encoding(&mut self, encoding: StringEncoding) {
        self.encoding = encoding;
    }

    /// [`DEFAULT_ALLOWED`].
    pub fn safe_default() -> Self {
        let mut list = Self::empty();
        for entry in DEFAULT_ALLOWED {
            list.add(entry)
                .expect("the default entries are well formed");
        }
        list
    }

    /// A named profile: `default` ([`Self::safe_default`]) or `torch` (the default and what
    /// PyTorch's `weights_only` unpickler accepts: tensors, parameters, storages, dtypes,
    /// layouts; the list is the data file `profiles/torch.txt`).
    pub fn profile(name: &str) -> Option<Self> {
        let extra = match name {
            "default" => "",
            "torch" => TORCH_PROFILE,
            _ => return None,
        };
        let mut list = Self::safe_default();
        list.torch_rules = name == "torch";
        for entry in extra.lines().map(str::trim) {
            if !entry.is_empty() && !entry.starts_with('#') {
                list.add(entry)
                    .expect("the profile entries are well formed");
            }
        }
        Some(list)
    }

    /// Adds an entry: `module.name` or `module.*`, split at the last dot (`os.path.join` is
    /// `join` in module `os.path`). For a dotted name, separate the module with a colon:
    /// `pkg.mod:Outer.Inner`.
    pub fn add(&mut self, entry: &str) -> Result<(), String> {
        let (module, name) = match entry.split_once(':') {
            Some(pair) => pair,
            None => entry
                .rsplit_once('.')
                .ok_or_else(|| format!("allow-list entry {entry:?} is not module.name"))?,
        };
        if module.is_empty() || name.is_empty() {
            return Err(format!("allow-list entry {entry:?} is not module.name"));
        }
        if name == "*" {
            self.modules.push(module.to_string());
        } else {
            self.exact.push((module.to_string(), name.to_string()));
        }
        Ok(())
    }

    /// Whether `module.name` (as the loader resolves it) is allowed.
    pub fn allows(&self, module: &str, name: &str) -> bool {
        self.exact.iter().any(|(m, n)| m == module && n == name)
            || (!name.contains('.') && self.modules.iter().any(|m| m == module))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_at_the_last_dot_or_a_colon() {
        let mut list = AllowList::empty();
        list.add("os.path.join").unwrap();
        list.add("pkg.mod:Outer.Inner").unwrap();
        list.add("numpy.*").unwrap();
        assert!(list.allows("os.path", "join"));
        assert!(!list.allows("os", "path.join"));
        assert!(list.allows("pkg.mod", "Outer.Inner"));
        assert!(list.allows("numpy", "ndarray"));
        // A pattern covers top-level names only, not attribute chains out of them.
        assert!(!list.allows("numpy", "core.os.system"));
        assert!(list.add("nodot").is_err());
        assert!(list.add("mod:").is_err());
    }

    #[test]
    fn the_torch_profile_adds_tensors_and_nothing_that_runs_code() {
        let torch = AllowList::profile("torch").unwrap();
        assert!(torch.allows("torch._utils", "_rebuild_tensor_v2"));
        assert!(torch.allows("torch", "FloatStorage"));
        assert!(torch.allows("builtins", "set"));
        assert!(!torch.allows("torch", "load"));
        assert!(!torch.allows("os", "system"));
        assert!(
            !AllowList::profile("default")
                .unwrap()
                .allows("torch", "Tensor")
        );
        assert!(AllowList::profile("tensorflow").is_none());
    }

    #[test]
    fn the_default_allows_data_types_and_not_code() {
        let list = AllowList::safe_default();
        assert!(list.allows("builtins", "set"));
        assert!(list.allows("copyreg", "_reconstructor"));
        for (module, name) in [
            ("builtins", "eval"),
            ("builtins", "getattr"),
            ("os", "system"),
            ("subprocess", "Popen"),
            ("builtins", "type"),
            ("functools", "partial"),
        ] {
            assert!(!list.allows(module, name), "{module}.{name}");
        }
    }
}
