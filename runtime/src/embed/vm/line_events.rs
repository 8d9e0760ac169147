//! `sys.monitoring` LINE events that leave the code they watch running as it would.
//!
//! RustPython 0.6 puts its line marker (`INSTRUMENTED_LINE`) on every jump target, and a jump
//! target can be an `EXTENDED_ARG`: the head of a `for` loop whose body passes 255 code units.
//! The marker runs the instruction it covers on its own, so the prefix's high byte is lost and
//! the next instruction gets only its low byte: the loop jumps to the wrong place when its
//! iterator ends. Measured: `inspect.Signature(...)` stored the loop's iterator in a local and
//! raised TypeError; a loop of 150 statements never ended. hypothesis watches LINE events while
//! it replays a failing example, so a failing `@given` test reported that TypeError rather
//! than its falsifying example; coverage tools watch LINE events all the time. CPython's
//! marker hands the instruction back to its main loop, which keeps the prefix.
//!
//! brine wraps every LINE callback a tool registers. Before the tool's callback runs, the
//! wrapper moves each marker that covers an `EXTENDED_ARG` onto the instruction the prefix
//! belongs to (the same line, so the same events), and where the event came from such a marker,
//! sends the frame back to run the prefix. RustPython instruments a code object again whenever a
//! tool changes its events, and does it as its frames start, where brine cannot see: the first
//! LINE event of every frame comes first, from its first line. For the wrapper to run at every
//! event, a tool's `DISABLE` is kept here (per tool, code object and instruction, as RustPython
//! keeps it) rather than handed on; `free_tool_id`, `clear_tool_id` and `restart_events` forget
//! it as they do. What a tool sees is unchanged: its callback, the same arguments, `DISABLE`
//! honoured, `register_callback` answering with the callback it replaced.

use crate::per_interpreter;
use parking_lot::Mutex;
use rustpython_vm::builtins::PyCode;
use rustpython_vm::bytecode::Instruction;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::collections::HashSet;

/// `sys.monitoring.events.LINE`.
const LINE: i64 = 1 << 5;
/// `sys.monitoring`'s tool identifiers are 0 to 5.
const TOOLS: usize = 6;

/// The `sys.monitoring` functions wrapped here, and the keys of what each wrapped (keys of
/// their own: the runtime's tool guard, limits/safe_points.rs, wraps some of these wrappers in
/// turn and keeps them under the plain names).
const WRAPPED: [(&str, &str); 4] = [
    (
        "register_callback",
        "line events: sys.monitoring.register_callback",
    ),
    ("free_tool_id", "line events: sys.monitoring.free_tool_id"),
    ("clear_tool_id", "line events: sys.monitoring.clear_tool_id"),
    (
        "restart_events",
        "line events: sys.monitoring.restart_events",
    ),
];

/// The key of an interpreter's [`Callbacks`].
const CALLBACKS: &str = "sys.monitoring LINE callbacks";

/// Each tool's LINE callback as the tool gave it, and the locations it disabled.
struct Callbacks {
    by_tool: Mutex<[Option<PyObjectRef>; TOOLS]>,
    /// (code object's address, the instruction's byte offset, tool).
    disabled: Mutex<HashSet<(usize, u32, usize)>>,
    /// The wrappers handed to RustPython, made at a tool's first LINE callback.
    wrappers: Mutex<[Option<PyObjectRef>; TOOLS]>,
    /// `sys.monitoring.DISABLE`.
    disable: PyObjectRef,
}

/// Wraps `sys.monitoring`'s callback registration in `vm`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let monitoring = vm.sys_module.get_attr("monitoring", vm)?;
    let callbacks = Callbacks {
        by_tool: Mutex::default(),
        disabled: Mutex::default(),
        wrappers: Mutex::default(),
        disable: monitoring.get_attr("DISABLE", vm)?,
    };
    per_interpreter::keep(vm, CALLBACKS, callbacks);
    for (index, (name, key)) in WRAPPED.into_iter().enumerate() {
        per_interpreter::keep(vm, key, monitoring.get_attr(name, vm)?);
        let wrapper: PyObjectRef = match index {
            0 => vm.new_function(name, register_callback).into(),
            1 => vm.new_function(name, forget_tool::<1>).into(),
            2 => vm.new_function(name, forget_tool::<2>).into(),
            _ => vm.new_function(name, restart_events).into(),
        };
        wrapper.set_attr("__module__", vm.ctx.new_str("sys.monitoring"), vm)?;
        monitoring.set_attr(name, wrapper, vm)?;
    }
    Ok(())
}

fn callbacks(vm: &VirtualMachine) -> PyResult<std::sync::Arc<Callbacks>> {
    per_interpreter::get::<Callbacks>(vm, CALLBACKS)
        .ok_or_else(|| vm.new_runtime_error("sys.monitoring's interpreter is finalized"))
}

/// `register_callback(tool_id, event, func)`: a LINE callback goes in through brine's wrapper.
fn register_callback(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = per_interpreter::original(vm, WRAPPED[0].1)?;
    let line_tool = match args.args.as_slice() {
        [tool, event, _] if args.kwargs.is_empty() && small_int(event, vm) == Some(LINE) => {
            small_int(tool, vm).and_then(|t| usize::try_from(t).ok())
        }
        _ => None,
    }
    .filter(|tool| *tool < TOOLS);
    let Some(tool) = line_tool else {
        return original.call(args, vm);
    };
    let func = args.args[2].clone();
    let handed = if vm.is_none(&func) {
        func.clone()
    } else {
        wrapper(tool, vm)?
    };
    let replaced = original.call((args.args[0].clone(), args.args[1].clone(), handed), vm)?;
    let state = callbacks(vm)?;
    let given = (!vm.is_none(&func)).then_some(func);
    let previous = std::mem::replace(&mut state.by_tool.lock()[tool], given);
    // A wrapper RustPython still held for a tool that was freed stands for no callback.
    let ours = state
        .wrappers
        .lock()
        .iter()
        .flatten()
        .any(|w| w.is(&replaced));
    Ok(previous.unwrap_or(if ours { vm.ctx.none() } else { replaced }))
}

/// `obj` as an int, where it is one that fits 64 bits.
fn small_int(obj: &PyObjectRef, vm: &VirtualMachine) -> Option<i64> {
    let int = obj.try_index_opt(vm)?.ok()?;
    i64::try_from(int.as_bigint()).ok()
}

/// Tool `tool`'s wrapper, made once per interpreter.
fn wrapper(tool: usize, vm: &VirtualMachine) -> PyResult {
    let state = callbacks(vm)?;
    let mut wrappers = state.wrappers.lock();
    if let Some(made) = &wrappers[tool] {
        return Ok(made.clone());
    }
    let made: PyObjectRef = match tool {
        0 => vm.new_function("line_event", line_event::<0>),
        1 => vm.new_function("line_event", line_event::<1>),
        2 => vm.new_function("line_event", line_event::<2>),
        3 => vm.new_function("line_event", line_event::<3>),
        4 => vm.new_function("line_event", line_event::<4>),
        _ => vm.new_function("line_event", line_event::<5>),
    }
    .into();
    wrappers[tool] = Some(made.clone());
    Ok(made)
}

/// The LINE callback RustPython calls for tool `T`, with `(code, line_number)`.
fn line_event<const T: usize>(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let code = args.args.first().and_then(|c| c.downcast_ref::<PyCode>());
    let Some(code) = code else {
        return Ok(vm.ctx.none());
    };
    let moved = move_markers_off_prefixes(code);
    let offset = resume_at_prefix(code, &moved);
    let state = callbacks(vm)?;
    let location = (code.as_object().get_id(), offset, T);
    if state.disabled.lock().contains(&location) {
        return Ok(vm.ctx.none());
    }
    let Some(callback) = state.by_tool.lock()[T].clone() else {
        return Ok(vm.ctx.none());
    };
    let answer = callback.call(args, vm)?;
    if answer.is(&state.disable) {
        state.disabled.lock().insert(location);
        return Ok(vm.ctx.none());
    }
    Ok(answer)
}

/// Moves every line marker of `code` that covers an `EXTENDED_ARG` onto the instruction that
/// prefix belongs to; the positions it moved them from.
fn move_markers_off_prefixes(code: &Py<PyCode>) -> Vec<usize> {
    let prefix = u8::from(Instruction::ExtendedArg);
    let mut data = code.monitoring_data.lock();
    let Some(data) = data.as_mut() else {
        return Vec::new();
    };
    // The common case: nothing to move, found with one scan of a byte table.
    if !data.line_opcodes.contains(&prefix) {
        return Vec::new();
    }
    let units = &code.code.instructions;
    let len = units.len().min(data.line_opcodes.len());
    let mut moved = Vec::new();
    for at in 0..len {
        if data.line_opcodes[at] != prefix {
            continue;
        }
        // SAFETY: as RustPython's own instrumentation does, under the same lock; the unit
        // gets back the opcode it had before the marker was put on it.
        unsafe { units.replace_op(at, Instruction::ExtendedArg) };
        data.line_opcodes[at] = 0;
        moved.push(at);
        let mut owner = at + 1;
        while owner < len && matches!(units.read_op(owner), Instruction::ExtendedArg) {
            owner += 1;
        }
        if owner < len && data.line_opcodes[owner] == 0 {
            data.line_opcodes[owner] = u8::from(units.read_op(owner));
            // SAFETY: as above; the marker runs the opcode kept in `line_opcodes`.
            unsafe { units.replace_op(owner, Instruction::InstrumentedLine) };
        }
    }
    moved
}

/// The byte offset of the instruction the event came from; where that was a marker just moved
/// off a prefix, the frame is sent back to run the prefix, whose high byte the marker loses.
fn resume_at_prefix(code: &Py<PyCode>, moved: &[usize]) -> u32 {
    let frame = rustpython_vm::vm::thread::get_current_frame();
    if frame.is_null() {
        return 0;
    }
    // SAFETY: the current frame is live while a callback it fired runs on its thread.
    let frame = unsafe { &*frame };
    if !frame.code().is(code) {
        return 0;
    }
    let next = frame.lasti.load(std::sync::atomic::Ordering::Relaxed);
    let at = next.saturating_sub(1);
    if moved.contains(&(at as usize)) {
        frame.lasti.store(at, std::sync::atomic::Ordering::Relaxed);
    }
    at * 2
}

/// `free_tool_id` (`K` 1) and `clear_tool_id` (`K` 2): the tool's LINE callback and its
/// disabled locations are forgotten, as RustPython forgets its own.
fn forget_tool<const K: usize>(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = per_interpreter::original(vm, WRAPPED[K].1)?;
    let tool = args
        .args
        .first()
        .and_then(|t| small_int(t, vm))
        .and_then(|t| usize::try_from(t).ok());
    let answer = original.call(args, vm)?;
    if let Some(tool) = tool.filter(|t| *t < TOOLS) {
        let state = callbacks(vm)?;
        state.by_tool.lock()[tool] = None;
        state.disabled.lock().retain(|&(_, _, t)| t != tool);
    }
    Ok(answer)
}

/// `restart_events()`: every disabled location is enabled again.
fn restart_events(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let answer = per_interpreter::original(vm, WRAPPED[3].1)?.call(args, vm)?;
    callbacks(vm)?.disabled.lock().clear();
    Ok(answer)
}
