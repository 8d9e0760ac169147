//! The Python 2 names a loader maps to Python 3 ones for protocol 0-2 pickles when
//! `fix_imports` is on (the data of CPython 3.14's `_compat_pickle`, loading direction).

/// A global's `(module, name)`.
type Qualified = (&'static str, &'static str);

/// `(module, name)` pairs renamed as a whole, sorted.
#[rustfmt::skip]
static NAME_MAPPING: [(Qualified, Qualified); 88] = [
    (("UserDict", "IterableUserDict"), ("collections", "UserDict")),
    (("UserDict", "UserDict"), ("collections", "UserDict")),
    (("UserList", "UserList"), ("collections", "UserList")),
    (("UserString", "UserString"), ("collections", "UserString")),
    (("__builtin__", "basestring"), ("builtins", "str")),
    (("__builtin__", "intern"), ("sys", "intern")),
    (("__builtin__", "long"), ("builtins", "int")),
    (("__builtin__", "reduce"), ("functools", "reduce")),
    (("__builtin__", "unichr"), ("builtins", "chr")),
    (("__builtin__", "unicode"), ("builtins", "str")),
    (("__builtin__", "xrange"), ("builtins", "range")),
    (("_multiprocessing", "Connection"), ("multiprocessing.connection", "Connection")),
    (("_socket", "fromfd"), ("socket", "fromfd")),
    (("exceptions", "ArithmeticError"), ("builtins", "ArithmeticError")),
    (("exceptions", "AssertionError"), ("builtins", "AssertionError")),
    (("exceptions", "AttributeError"), ("builtins", "AttributeError")),
    (("exceptions", "BaseException"), ("builtins", "BaseException")),
    (("exceptions", "BufferError"), ("builtins", "BufferError")),
    (("exceptions", "BytesWarning"), ("builtins", "BytesWarning")),
    (("exceptions", "DeprecationWarning"), ("builtins", "DeprecationWarning")),
    (("exceptions", "EOFError"), ("builtins", "EOFError")),
    (("exceptions", "EnvironmentError"), ("builtins", "EnvironmentError")),
    (("exceptions", "Exception"), ("builtins", "Exception")),
    (("exceptions", "FloatingPointError"), ("builtins", "FloatingPointError")),
    (("exceptions", "FutureWarning"), ("builtins", "FutureWarning")),
    (("exceptions", "GeneratorExit"), ("builtins", "GeneratorExit")),
    (("exceptions", "IOError"), ("builtins", "IOError")),
    (("exceptions", "ImportError"), ("builtins", "ImportError")),
    (("exceptions", "ImportWarning"), ("builtins", "ImportWarning")),
    (("exceptions", "IndentationError"), ("builtins", "IndentationError")),
    (("exceptions", "IndexError"), ("builtins", "IndexError")),
    (("exceptions", "KeyError"), ("builtins", "KeyError")),
    (("exceptions", "KeyboardInterrupt"), ("builtins", "KeyboardInterrupt")),
    (("exceptions", "LookupError"), ("builtins", "LookupError")),
    (("exceptions", "MemoryError"), ("builtins", "MemoryError")),
    (("exceptions", "NameError"), ("builtins", "NameError")),
    (("exceptions", "NotImplementedError"), ("builtins", "NotImplementedError")),
    (("exceptions", "OSError"), ("builtins", "OSError")),
    (("exceptions", "OverflowError"), ("builtins", "OverflowError")),
    (("exceptions", "PendingDeprecationWarning"), ("builtins", "PendingDeprecationWarning")),
    (("exceptions", "ReferenceError"), ("builtins", "ReferenceError")),
    (("exceptions", "RuntimeError"), ("builtins", "RuntimeError")),
    (("exceptions", "RuntimeWarning"), ("builtins", "RuntimeWarning")),
    (("exceptions", "StandardError"), ("builtins", "Exception")),
    (("exceptions", "StopIteration"), ("builtins", "StopIteration")),
    (("exceptions", "SyntaxError"), ("builtins", "SyntaxError")),
    (("exceptions", "SyntaxWarning"), ("builtins", "SyntaxWarning")),
    (("exceptions", "SystemError"), ("builtins", "SystemError")),
    (("exceptions", "SystemExit"), ("builtins", "SystemExit")),
    (("exceptions", "TabError"), ("builtins", "TabError")),
    (("exceptions", "TypeError"), ("builtins", "TypeError")),
    (("exceptions", "UnboundLocalError"), ("builtins", "UnboundLocalError")),
    (("exceptions", "UnicodeDecodeError"), ("builtins", "UnicodeDecodeError")),
    (("exceptions", "UnicodeEncodeError"), ("builtins", "UnicodeEncodeError")),
    (("exceptions", "UnicodeError"), ("builtins", "UnicodeError")),
    (("exceptions", "UnicodeTranslateError"), ("builtins", "UnicodeTranslateError")),
    (("exceptions", "UnicodeWarning"), ("builtins", "UnicodeWarning")),
    (("exceptions", "UserWarning"), ("builtins", "UserWarning")),
    (("exceptions", "ValueError"), ("builtins", "ValueError")),
    (("exceptions", "Warning"), ("builtins", "Warning")),
    (("exceptions", "ZeroDivisionError"), ("builtins", "ZeroDivisionError")),
    (("itertools", "ifilter"), ("builtins", "filter")),
    (("itertools", "ifilterfalse"), ("itertools", "filterfalse")),
    (("itertools", "imap"), ("builtins", "map")),
    (("itertools", "izip"), ("builtins", "zip")),
    (("itertools", "izip_longest"), ("itertools", "zip_longest")),
    (("multiprocessing", "AuthenticationError"), ("multiprocessing.context", "AuthenticationError")),
    (("multiprocessing", "BufferTooShort"), ("multiprocessing.context", "BufferTooShort")),
    (("multiprocessing", "ProcessError"), ("multiprocessing.context", "ProcessError")),
    (("multiprocessing", "TimeoutError"), ("multiprocessing.context", "TimeoutError")),
    (("multiprocessing.forking", "Popen"), ("multiprocessing.popen_fork", "Popen")),
    (("multiprocessing.process", "Process"), ("multiprocessing.context", "Process")),
    (("socket", "_socketobject"), ("socket", "SocketType")),
    (("urllib", "ContentTooShortError"), ("urllib.error", "ContentTooShortError")),
    (("urllib", "getproxies"), ("urllib.request", "getproxies")),
    (("urllib", "pathname2url"), ("urllib.request", "pathname2url")),
    (("urllib", "quote"), ("urllib.parse", "quote")),
    (("urllib", "quote_plus"), ("urllib.parse", "quote_plus")),
    (("urllib", "unquote"), ("urllib.parse", "unquote")),
    (("urllib", "unquote_plus"), ("urllib.parse", "unquote_plus")),
    (("urllib", "url2pathname"), ("urllib.request", "url2pathname")),
    (("urllib", "urlcleanup"), ("urllib.request", "urlcleanup")),
    (("urllib", "urlencode"), ("urllib.parse", "urlencode")),
    (("urllib", "urlopen"), ("urllib.request", "urlopen")),
    (("urllib", "urlretrieve"), ("urllib.request", "urlretrieve")),
    (("urllib2", "HTTPError"), ("urllib.error", "HTTPError")),
    (("urllib2", "URLError"), ("urllib.error", "URLError")),
    (("whichdb", "whichdb"), ("dbm", "whichdb")),
];

/// Modules renamed, whatever the name, sorted.
#[rustfmt::skip]
static IMPORT_MAPPING: [(&str, &str); 54] = [
    ("BaseHTTPServer", "http.server"),
    ("CGIHTTPServer", "http.server"),
    ("ConfigParser", "configparser"),
    ("Cookie", "http.cookies"),
    ("Dialog", "tkinter.dialog"),
    ("DocXMLRPCServer", "xmlrpc.server"),
    ("FileDialog", "tkinter.filedialog"),
    ("HTMLParser", "html.parser"),
    ("Queue", "queue"),
    ("ScrolledText", "tkinter.scrolledtext"),
    ("SimpleDialog", "tkinter.simpledialog"),
    ("SimpleHTTPServer", "http.server"),
    ("SimpleXMLRPCServer", "xmlrpc.server"),
    ("SocketServer", "socketserver"),
    ("StringIO", "io"),
    ("Tkconstants", "tkinter.constants"),
    ("Tkdnd", "tkinter.dnd"),
    ("Tkinter", "tkinter"),
    ("UserDict", "collections"),
    ("UserList", "collections"),
    ("UserString", "collections"),
    ("__builtin__", "builtins"),
    ("_abcoll", "collections.abc"),
    ("_elementtree", "xml.etree.ElementTree"),
    ("_winreg", "winreg"),
    ("anydbm", "dbm"),
    ("cPickle", "pickle"),
    ("cStringIO", "io"),
    ("commands", "subprocess"),
    ("cookielib", "http.cookiejar"),
    ("copy_reg", "copyreg"),
    ("dbhash", "dbm.bsd"),
    ("dbm", "dbm.ndbm"),
    ("dumbdbm", "dbm.dumb"),
    ("dummy_thread", "_dummy_thread"),
    ("gdbm", "dbm.gnu"),
    ("htmlentitydefs", "html.entities"),
    ("httplib", "http.client"),
    ("markupbase", "_markupbase"),
    ("repr", "reprlib"),
    ("robotparser", "urllib.robotparser"),
    ("test.test_support", "test.support"),
    ("thread", "_thread"),
    ("tkColorChooser", "tkinter.colorchooser"),
    ("tkCommonDialog", "tkinter.commondialog"),
    ("tkFileDialog", "tkinter.filedialog"),
    ("tkFont", "tkinter.font"),
    ("tkMessageBox", "tkinter.messagebox"),
    ("tkSimpleDialog", "tkinter.simpledialog"),
    ("ttk", "tkinter.ttk"),
    ("urllib2", "urllib.request"),
    ("urlparse", "urllib.parse"),
    ("whichdb", "dbm"),
    ("xmlrpclib", "xmlrpc.client"),
];

/// Where the loader looks for `module.name` in a pickle of protocol `proto` with
/// `fix_imports` on: a renamed pair, else a renamed module, else the name as written.
///
/// ```
/// use pickle_core::compat::fix_import;
/// assert_eq!(fix_import("__builtin__", "xrange", 2), ("builtins", "range"));
/// assert_eq!(fix_import("cPickle", "loads", 0), ("pickle", "loads"));
/// assert_eq!(fix_import("__builtin__", "xrange", 3), ("__builtin__", "xrange"));
/// ```
pub fn fix_import<'a>(module: &'a str, name: &'a str, proto: u8) -> (&'a str, &'a str) {
    if proto >= 3 {
        return (module, name);
    }
    if let Ok(i) = NAME_MAPPING.binary_search_by(|(key, _)| key.cmp(&(module, name))) {
        return NAME_MAPPING[i].1;
    }
    match IMPORT_MAPPING.binary_search_by(|(key, _)| key.cmp(&module)) {
        Ok(i) => (IMPORT_MAPPING[i].1, name),
        Err(_) => (module, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(NAME_MAPPING.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IMPORT_MAPPING.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn pairs_win_over_modules() {
        // `UserDict` the module maps to `collections`; the pair maps the class too.
        assert_eq!(
            fix_import("UserDict", "IterableUserDict", 2),
            ("collections", "UserDict")
        );
        assert_eq!(
            fix_import("exceptions", "StandardError", 1),
            ("builtins", "Exception")
        );
        assert_eq!(fix_import("itertools", "izip", 2), ("builtins", "zip"));
        assert_eq!(
            fix_import("copy_reg", "_reconstructor", 0),
            ("copyreg", "_reconstructor")
        );
    }
}
