//! A Python error's traceback as data: [`Frame`]s, as CPython's `traceback.extract_tb`
//! gives them.

use super::error::PythonError;
use super::object::Object;
use rustpython_vm::builtins::PyStr;
use rustpython_vm::{PyObject, VirtualMachine};

/// One frame of a traceback, outermost first: where the exception passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The code's file name (`<string>` for a source run as text).
    pub filename: String,
    /// The line number, when the frame has one.
    pub line: Option<u32>,
    /// The function's name (`<module>` for module-level code).
    pub name: String,
    /// The source line, stripped, when it can be found (`linecache`).
    pub source: Option<String>,
}

impl PythonError {
    /// The frames the exception passed through, outermost first, as
    /// `traceback.extract_tb(exc.__traceback__)` lists them (empty for an exception a host
    /// function made with [`Error::raise`](super::error::Error::raise)). Read when first asked for, from the
    /// traceback the exception keeps (reading them with every error's traceback text made
    /// each error leaving a run 40% dearer).
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// rt.run("def check(n):\n    if n < 0:\n        raise ValueError('negative')")?;
    /// let Err(Error::Python(err)) = rt.run("check(-1)") else { panic!() };
    /// let frames = err.frames();
    /// assert_eq!(frames.len(), 2);
    /// assert_eq!((frames[1].name.as_str(), frames[1].line), ("check", Some(3)));
    /// assert_eq!(frames[1].source.as_deref(), Some("raise ValueError('negative')"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn frames(&self) -> &[Frame] {
        self.frames_cell()
            .get_or_init(|| self.exception().map(extract).unwrap_or_default().into())
    }
}

/// The exception object's frames (none where they cannot be read).
fn extract(exception: &Object) -> Vec<Frame> {
    exception
        .with_raw(|obj, cx| Ok(frames_of(obj, cx.vm)))
        .unwrap_or_default()
}

fn frames_of(exception: &PyObject, vm: &VirtualMachine) -> Vec<Frame> {
    let summary = exception.get_attr("__traceback__", vm).and_then(|tb| {
        let traceback = vm.import("traceback", 0)?;
        vm.call_method(&traceback, "extract_tb", (tb,))
    });
    let Ok(summary) = summary.and_then(|s| s.try_to_value::<Vec<rustpython_vm::PyObjectRef>>(vm))
    else {
        return Vec::new();
    };
    summary
        .iter()
        .filter_map(|frame| frame_of(frame, vm))
        .collect()
}

/// One `FrameSummary`.
fn frame_of(frame: &PyObject, vm: &VirtualMachine) -> Option<Frame> {
    let text = |name: &'static str| -> Option<String> {
        let value = frame.get_attr(name, vm).ok()?;
        value
            .downcast_ref::<PyStr>()
            .map(|s| s.to_string_lossy().into_owned())
    };
    let line = frame
        .get_attr("lineno", vm)
        .ok()
        .and_then(|n| n.try_to_value::<u32>(vm).ok());
    Some(Frame {
        filename: text("filename")?,
        line,
        name: text("name")?,
        source: text("line").filter(|line| !line.is_empty()),
    })
}
