//! Where a script's `sys.stdout` and `sys.stderr` go: the process's own streams, nowhere,
//! or a buffer the host reads back.

use rustpython_vm::builtins::PyStrRef;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::{AsObject, Py, PyPayload, PyResult, VirtualMachine, pyclass};
use std::sync::{Arc, Mutex};

/// Where a standard stream of the runtime goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// The host process's own stream (the default).
    #[default]
    Inherit,
    /// Nowhere: what the script writes is dropped.
    Discard,
    /// A buffer, read back with [`Runtime::take_stdout`](crate::Runtime::take_stdout) or
    /// [`take_stderr`](crate::Runtime::take_stderr).
    Capture,
}

/// A captured stream's text.
pub(crate) type Buffer = Arc<Mutex<String>>;

/// The buffers of the captured streams.
#[derive(Default)]
pub(crate) struct Captured {
    pub(crate) stdout: Option<Buffer>,
    pub(crate) stderr: Option<Buffer>,
}

impl Captured {
    /// A buffer for each stream that is captured.
    pub(crate) fn new(stdout: Output, stderr: Output) -> Self {
        let buffer = |output| (output == Output::Capture).then(Buffer::default);
        Captured {
            stdout: buffer(stdout),
            stderr: buffer(stderr),
        }
    }
}

/// Takes what a captured stream holds, leaving it empty ("" for a stream not captured).
pub(crate) fn take(buffer: &Option<Buffer>) -> String {
    buffer
        .as_ref()
        .map(|b| std::mem::take(&mut *b.lock().unwrap_or_else(|e| e.into_inner())))
        .unwrap_or_default()
}

/// Where a host stream's text goes.
#[derive(Debug)]
enum Sink {
    Discard,
    Buffer(Buffer),
    /// The process's own standard stream, written from Rust (an isolated runtime has no
    /// file objects to write it with).
    Process,
}

/// A text stream that appends to a host buffer, writes to the process's stream from Rust,
/// or drops what it is given.
#[pyclass(module = "brine", name = "HostStream")]
#[derive(Debug, PyPayload)]
pub(crate) struct HostStream {
    sink: Sink,
    name: &'static str,
}

#[pyclass]
impl HostStream {
    /// Writes `text`, returning its length as `TextIOBase.write` does. Text UTF-8 cannot
    /// hold (a lone surrogate) raises UnicodeEncodeError, as a strict UTF-8 stream does.
    #[pymethod]
    fn write(zelf: &Py<Self>, text: PyStrRef, vm: &VirtualMachine) -> PyResult<usize> {
        let Some(utf8) = text.to_str() else {
            let start = text
                .as_wtf8()
                .code_points()
                .position(|c| c.to_char().is_none())
                .unwrap_or(0);
            let reason = vm.ctx.new_str("surrogates not allowed");
            let encoding = vm.ctx.new_str("utf-8");
            return Err(vm.new_unicode_encode_error(encoding, text, start, start + 1, reason));
        };
        match &zelf.sink {
            Sink::Discard => {}
            Sink::Buffer(buffer) => buffer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_str(utf8),
            Sink::Process => write_process(zelf.name, utf8),
        }
        Ok(text.char_len())
    }

    #[pymethod]
    fn flush(zelf: &Py<Self>) {
        use std::io::Write;
        if let Sink::Process = zelf.sink {
            let _ = if zelf.name == "stderr" {
                std::io::stderr().flush()
            } else {
                std::io::stdout().flush()
            };
        }
    }

    #[pymethod]
    fn isatty(_zelf: &Py<Self>) -> bool {
        false
    }

    #[pymethod]
    fn writable(_zelf: &Py<Self>) -> bool {
        true
    }

    #[pymethod]
    fn readable(_zelf: &Py<Self>) -> bool {
        false
    }

    #[pymethod]
    fn seekable(_zelf: &Py<Self>) -> bool {
        false
    }

    /// No descriptor: `io.UnsupportedOperation`, as `io.StringIO.fileno()` raises.
    #[pymethod]
    fn fileno(_zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<i32> {
        let unsupported = vm.import("io", 0)?.get_attr("UnsupportedOperation", vm)?;
        let cls = unsupported
            .downcast()
            .map_err(|_| vm.new_type_error("io.UnsupportedOperation is not a class"))?;
        Err(vm.new_exception_msg(cls, "fileno".into()))
    }

    #[pygetset]
    fn encoding(_zelf: &Py<Self>) -> &'static str {
        "utf-8"
    }

    #[pygetset]
    fn errors(_zelf: &Py<Self>) -> &'static str {
        "strict"
    }

    #[pygetset]
    fn closed(_zelf: &Py<Self>) -> bool {
        false
    }

    #[pygetset]
    fn name(zelf: &Py<Self>) -> String {
        format!("<{}>", zelf.name)
    }
}

/// Writes to the process's stdout or stderr; a stream the process cannot write to drops
/// the text, as a closed terminal would.
fn write_process(name: &str, text: &str) {
    use std::io::Write;
    let _ = if name == "stderr" {
        std::io::stderr().write_all(text.as_bytes())
    } else {
        std::io::stdout().write_all(text.as_bytes())
    };
}

/// Points `sys.<name>` and `sys.__<name>__` at a host stream writing to `buffer` (or
/// nowhere). An inherited stream is left as the VM made it, unless `from_rust` asks for one
/// written from Rust.
pub(crate) fn install(
    vm: &VirtualMachine,
    name: &'static str,
    output: Output,
    buffer: &Option<Buffer>,
    from_rust: bool,
) -> PyResult<()> {
    let sink = match (output, buffer) {
        (Output::Inherit, _) if !from_rust => return Ok(()),
        (Output::Inherit, _) => Sink::Process,
        (_, Some(buffer)) => Sink::Buffer(buffer.clone()),
        _ => Sink::Discard,
    };
    let stream =
        HostStream { sink, name }.into_ref_with_type(vm, HostStream::make_static_type())?;
    let original = vm.ctx.new_str(format!("__{name}__"));
    vm.sys_module.set_attr(name, stream.clone(), vm)?;
    vm.sys_module.as_object().set_attr(&original, stream, vm)?;
    Ok(())
}

/// Flushes `sys.stdout` and `sys.stderr`, ignoring streams that are gone or closed.
pub(crate) fn flush_std(vm: &VirtualMachine) {
    for name in ["stdout", "stderr"] {
        if let Ok(stream) = vm.sys_module.get_attr(name, vm)
            && !vm.is_none(&stream)
        {
            let _ = vm.call_method(&stream, "flush", ());
        }
    }
}
