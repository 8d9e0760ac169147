//! Sources nested too deep to compile are refused before RustPython parses them.
//!
//! RustPython's compiler refuses a syntax tree deeper than 1,000 levels with CPython's
//! RecursionError ("maximum recursion depth exceeded during compilation"), but only after
//! the parser has built the tree, and building and freeing it recurse once per level: a
//! million additions, unary minuses or attribute lookups in a row overflow the native stack
//! (about 130,000 levels fill 8 MiB) and kill the process. The source is read here first with
//! the parser's own lexer, which does not recurse, and a bound of the tree's depth is taken
//! from the tokens: every operator, attribute, call or subscript of a term counts one level,
//! every open bracket one, every indentation one. Comparisons, `and` and `or` make flat nodes
//! and do not count. The bound over-counts terms of several operators (`a.b + c.d` counts 3
//! for a depth of 2), so a source is refused here only past four times the compiler's own
//! limit, where RustPython would refuse it anyway.
//!
//! The bound is checked where brine compiles (`Runtime::run`, `eval`, `compile`, host
//! modules) and by `compile`, `exec` and `eval` in the VM, which brine wraps: the imports of
//! source files go through `compile` too.

use crate::per_interpreter;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Mode;
use ruff_python_parser::lexer::lex;
use rustpython_vm::builtins::{PyBytes, PyStr};
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// CPython's message for a source nested too deep.
const MESSAGE: &str = "maximum recursion depth exceeded during compilation";

/// The bound past which a source is refused: four times RustPython's compiler limit.
pub(crate) const MAX_NESTING: usize = 4_000;

/// What the tokens of one bracket say: the operators of the term being read, and the
/// deepest bracket closed within it.
#[derive(Default)]
struct Level {
    chain: usize,
    inner: usize,
}

/// An upper bound of the depth of `source`'s syntax tree (see the module's comment).
pub(crate) fn nesting_bound(source: &str) -> usize {
    let mut lexer = lex(source, Mode::Module);
    let mut levels = vec![Level::default()];
    // The depth where the reading is: the indentation, each open bracket, and every level's
    // chain and inner depth.
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut after_operand = false;
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => break,
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                if after_operand {
                    // A call or a subscript wraps what it follows.
                    levels.last_mut().expect("one level at least").chain += 1;
                    depth += 1;
                }
                levels.push(Level::default());
                depth += 1;
                after_operand = false;
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd => {
                if levels.len() > 1 {
                    let closed = levels.pop().expect("more than one level");
                    let closed_depth = closed.chain + closed.inner + 1;
                    depth -= closed_depth;
                    let top = levels.last_mut().expect("one level at least");
                    if closed_depth > top.inner {
                        depth += closed_depth - top.inner;
                        top.inner = closed_depth;
                    }
                }
                after_operand = true;
            }
            TokenKind::Indent => depth += 1,
            TokenKind::Dedent => depth = depth.saturating_sub(1),
            kind if ends_a_term(kind) => {
                let top = levels.last_mut().expect("one level at least");
                depth -= top.chain + top.inner;
                *top = Level::default();
                after_operand = false;
            }
            kind if nests(kind) => {
                levels.last_mut().expect("one level at least").chain += 1;
                depth += 1;
                after_operand = false;
            }
            TokenKind::NonLogicalNewline | TokenKind::Comment => {}
            kind => after_operand = is_operand(kind),
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// Tokens that end a term: separators and the starts of clauses.
fn ends_a_term(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Comma
            | Colon
            | Semi
            | Newline
            | Equal
            | ColonEqual
            | Rarrow
            | For
            | As
            | PlusEqual
            | MinusEqual
            | StarEqual
            | SlashEqual
            | DoubleSlashEqual
            | PercentEqual
            | AtEqual
            | AmperEqual
            | VbarEqual
            | CircumflexEqual
            | LeftShiftEqual
            | RightShiftEqual
            | DoubleStarEqual
    )
}

/// Tokens that wrap a node in another: binary and unary operators, attributes, conditional
/// expressions, lambdas, awaits.
fn nests(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Plus | Minus
            | Star
            | Slash
            | DoubleSlash
            | Percent
            | DoubleStar
            | At
            | LeftShift
            | RightShift
            | Amper
            | Vbar
            | CircumFlex
            | Tilde
            | Dot
            | Not
            | If
            | Else
            | Lambda
            | Await
            | Yield
    )
}

/// Tokens after which a bracket is a call or a subscript.
fn is_operand(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Name | Int | Float | Complex | String | None | True | False | Ellipsis
    )
}

/// RecursionError, as CPython raises it, when `source` is nested too deep to compile.
pub(crate) fn check(source: &str, vm: &VirtualMachine) -> PyResult<()> {
    if nesting_bound(source) > MAX_NESTING {
        return Err(vm.new_recursion_error(MESSAGE.to_owned()));
    }
    Ok(())
}

/// The functions [`install`] wraps, and where each original is kept (per_interpreter.rs).
const WRAPPED: [(&str, &str); 3] = [
    ("compile", "builtins.compile"),
    ("exec", "builtins.exec"),
    ("eval", "builtins.eval"),
];

/// Wraps the VM's `compile`, `exec` and `eval` so that a source (str or bytes, their first
/// argument) is checked before it reaches the parser; what they do otherwise is unchanged.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    wrap(vm, 0, checked::<0>)?;
    wrap(vm, 1, checked::<1>)?;
    wrap(vm, 2, checked::<2>)
}

/// Puts `wrapper` in place of `WRAPPED[index]`, keeping the original.
fn wrap<F, K>(vm: &VirtualMachine, index: usize, wrapper: F) -> PyResult<()>
where
    F: IntoPyNativeFn<K>,
{
    let (name, key) = WRAPPED[index];
    let builtins = vm.builtins.as_object();
    let Some(original) = vm.get_attribute_opt(builtins, name)? else {
        return Ok(());
    };
    per_interpreter::keep(vm, key, original);
    let wrapper: PyObjectRef = vm.new_function(name, wrapper).into();
    wrapper.set_attr("__module__", vm.ctx.new_str("builtins"), vm)?;
    builtins.set_attr(name, wrapper, vm)
}

/// The wrapper of `WRAPPED[K]`: a function item, so that what RustPython keeps of it for
/// the life of the process is nothing.
fn checked<const K: usize>(mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    check_argument(args.args.first(), vm)?;
    let original = per_interpreter::original(vm, WRAPPED[K].1)?;
    if K == 0 {
        // `compile` runs only the compiler, whose panic leaves nothing half-done behind.
        if crate::embed::vm::tree_constants::is_tree(args.args.first(), vm)? {
            return without_panics(vm, || {
                crate::embed::vm::tree_constants::compile(original, args, vm)
            });
        }
        return without_panics(vm, || original.call(args, vm));
    }
    // `exec` and `eval` of a source compile it and run it in one call, and a panic while
    // running must not be caught (it may leave the VM half-done): the source is compiled
    // here first, guarded, as they would compile it, and they get the code object.
    if let Some(code) = compile_first(&args, K == 2, vm)? {
        args.args[0] = code;
    }
    original.call(args, vm)
}

/// The code object `exec` (or `eval`, `for_eval`) would compile from a str or bytes source
/// given first, as they compile it: under the name `<string>`, with the calling code's
/// `__future__` features, leading spaces and tabs dropped for `eval`. `None` for a code
/// object, other sources, and a `closure` (refused with a source: left to them to say).
fn compile_first(
    args: &FuncArgs,
    for_eval: bool,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let Some(source) = args.args.first() else {
        return Ok(None);
    };
    if args.kwargs.contains_key("closure") || args.args.len() > 3 {
        return Ok(None);
    }
    let Some(source) = compiled_source(source, for_eval, vm) else {
        return Ok(None);
    };
    let mode = if for_eval { "eval" } else { "exec" };
    let compile = per_interpreter::original(vm, WRAPPED[0].1)?;
    without_panics(vm, || compile.call((source, "<string>", mode), vm)).map(Some)
}

/// The source as `exec` and `eval` give it to the compiler: a str or bytes, with leading
/// spaces and tabs dropped for `eval`; `None` for any other object.
fn compiled_source(
    source: &PyObjectRef,
    for_eval: bool,
    vm: &VirtualMachine,
) -> Option<PyObjectRef> {
    if let Some(text) = source.downcast_ref_if_exact::<PyStr>(vm) {
        // A str with lone surrogates goes as it is: the compiler refuses it either way.
        let text = text.to_str().filter(|_| for_eval);
        let trimmed = text.map(|text| text.trim_start_matches([' ', '\t']));
        return Some(match (text, trimmed) {
            (Some(text), Some(trimmed)) if trimmed.len() < text.len() => {
                vm.ctx.new_str(trimmed).into()
            }
            _ => source.clone(),
        });
    }
    let bytes = source.downcast_ref_if_exact::<PyBytes>(vm)?.as_bytes();
    let blanks = match for_eval {
        true => bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count(),
        false => 0,
    };
    Some(match blanks {
        0 => source.clone(),
        _ => vm.ctx.new_bytes(bytes[blanks..].to_vec()).into(),
    })
}

/// Runs the compiler (`f`), turning a panic of RustPython's code generator into SystemError
/// rather than letting it unwind into the host. Found by the compiler fuzz test: a starred
/// assignment inside a class inside a loop inside three `with` blocks made codegen 0.6.0
/// subtract past zero while it unwound its error ("attempt to subtract with overflow").
pub(crate) fn without_panics<T>(
    vm: &VirtualMachine,
    f: impl FnOnce() -> PyResult<T>,
) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(vm.new_system_error(format!("the compiler failed on this source: {what}")))
        }
    }
}

/// Checks a source given as str or bytes (a code object or an AST passes as it is).
fn check_argument(source: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    let Some(source) = source else {
        return Ok(());
    };
    if let Some(text) = source.downcast_ref::<PyStr>() {
        return check(&text.to_string_lossy(), vm);
    }
    if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        return check(&String::from_utf8_lossy(bytes.as_bytes()), vm);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::nesting_bound;

    #[test]
    fn the_bound_follows_what_nests_and_not_what_is_flat() {
        assert_eq!(nesting_bound("a = 1"), 0);
        assert_eq!(nesting_bound(&format!("a = 1{}", "+1".repeat(50))), 50);
        assert_eq!(nesting_bound(&format!("a = {}1", "-".repeat(30))), 30);
        assert_eq!(nesting_bound(&format!("x{}", ".y".repeat(20))), 20);
        // Flat nodes: a long list, a chain of comparisons, of `and`s.
        let items = (0..5000)
            .map(|i| format!("-{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(nesting_bound(&format!("a = [{items}]")) <= 3);
        assert!(nesting_bound(&format!("a = {}", vec!["b"; 5000].join(" and "))) <= 1);
        assert!(nesting_bound(&format!("a = {}", vec!["b"; 5000].join(" < "))) <= 1);
        // Brackets, calls and an f-string's fields count.
        assert_eq!(nesting_bound("f(g(h(x)))"), 6);
        assert!(nesting_bound(&format!("s = f'{{{}}}'", "a+".repeat(100) + "a")) >= 100);
        // A string's content is not code.
        assert_eq!(nesting_bound(&format!("s = '{}'", "+".repeat(10_000))), 0);
        // Indentation counts.
        assert_eq!(nesting_bound("if a:\n    if b:\n        c = d + e\n"), 3);
    }

    /// No module of the standard library comes near the bound: what RustPython's Lib holds
    /// stays under a tenth of it, so real code is not refused.
    #[test]
    fn the_standard_library_stays_far_below_the_bound() {
        let mut deepest = (0, String::new());
        let mut files = 0;
        let mut dirs = vec![std::path::PathBuf::from(rustpython_pylib::LIB_PATH)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "py")
                    && let Ok(source) = std::fs::read_to_string(&path)
                {
                    files += 1;
                    let bound = nesting_bound(&source);
                    if bound > deepest.0 {
                        deepest = (bound, path.display().to_string());
                    }
                }
            }
        }
        assert!(files > 500, "{files} files");
        eprintln!("deepest bound in {files} files: {deepest:?}");
        assert!(deepest.0 < super::MAX_NESTING / 10, "{deepest:?}");
    }
}
