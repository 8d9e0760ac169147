//! `compile()` of a syntax tree keeps its str constants whole.
//!
//! RustPython hands a tree's str constants to its compiler as Rust strings, so a lone
//! surrogate in one (`'\ud800'`, written in a source as an escape) came out as U+FFFD. A
//! source compiled from text keeps it; a tree does not, and pytest compiles every test module
//! from its rewritten tree: pluggy's tests of surrogate escaping failed under brine for this
//! alone. A tree whose constants hold one is compiled by `_brine_ast_surrogates` (a frozen
//! shim), which puts markers in their place and the strings back in what comes out.

use rustpython_vm::builtins::{PyBytes, PyCode, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// Whether `compile`'s first argument is a syntax tree (an `ast.AST`).
pub(crate) fn is_tree(source: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<bool> {
    let Some(source) = source else {
        return Ok(false);
    };
    // Sources of text and code objects, by far the most compiled, are answered first.
    if source.downcast_ref::<PyStr>().is_some()
        || source.downcast_ref::<PyBytes>().is_some()
        || source.downcast_ref::<PyCode>().is_some()
    {
        return Ok(false);
    }
    let tree = vm.import("_ast", 0)?.get_attr("AST", vm)?;
    source.is_instance(&tree, vm)
}

/// `original(*args, **kwargs)` for a tree, through the shim.
pub(crate) fn compile(original: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let shim = vm.import("_brine_ast_surrogates", 0)?;
    let mut positional = args.args.into_iter();
    let source = positional.next().expect("is_tree saw a first argument");
    let rest = vm.ctx.new_tuple(positional.collect());
    let keywords = vm.ctx.new_dict();
    for (name, value) in args.kwargs {
        keywords.set_item(vm.ctx.new_str(name).as_object(), value, vm)?;
    }
    let compile = shim.get_attr("compile", vm)?;
    compile.call((original, source, rest, keywords), vm)
}
