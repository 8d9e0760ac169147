//! Brine's `_pickle` module: CPython 3.14's API over `pickle-core`.
//!
//! Two halves that do not import each other: [`dump`] (the `Pickler` and the save walk) and
//! [`load`] (the `Unpickler` and the builder of VM objects). What both use sits here:
//! [`errors`] (the exceptions), [`names`] (dotted names and Python 2 names), [`lookups`]
//! (module attributes fetched once per call), [`kwargs`], [`options`] (argument checks),
//! [`memo`] (the memo proxies of both classes) and [`buffer`] (`PickleBuffer`); and
//! [`type_fixes`], where RustPython's built-in types are made to pickle as CPython's do.

mod buffer;
pub(crate) mod dump;
pub(crate) mod embedding;
pub(crate) mod errors;
mod kwargs;
pub(crate) mod limits;
pub(crate) mod load;
mod lookups;
mod memo;
pub(crate) mod names;
mod options;
mod release;
pub(crate) mod type_fixes;

pub(crate) use module::module_def;

// The pymodule `with(...)` list below names these relative to this module.
use buffer::pickle_buffer;
use dump::pickler::pickler_class;
use errors::exceptions;
use load::unpickler::unpickler_class;
use memo::memo_proxies;

#[rustpython_vm::pymodule(
    name = "_pickle",
    with(
        exceptions,
        pickler_class,
        unpickler_class,
        memo_proxies,
        pickle_buffer
    )
)]
pub(crate) mod module {
    use super::dump::save::{Hooks, PicklerState, Walker};
    use super::load::one_shot::loads as decode;
    use super::load::unpickler::unpickler_class::{LoadKeywords, file_methods, load_from_file};
    use super::load::vm_builder::{LoadHooks, VmBuilder};
    use super::options::{file_write, resolve_buffer_callback, resolve_protocol};
    use rustpython_vm::FromArgs;
    use rustpython_vm::builtins::{PyBytes, PyStr};
    use rustpython_vm::function::ArgBytesLike;
    use rustpython_vm::{PyObjectRef, PyResult, TryFromObject, VirtualMachine};

    #[pyattr]
    const HIGHEST_PROTOCOL: u8 = pickle_core::encoder::HIGHEST_PROTOCOL;

    #[pyattr]
    const DEFAULT_PROTOCOL: u8 = pickle_core::encoder::DEFAULT_PROTOCOL;

    /// Which `_pickle` this is; RustPython's own has no such attribute.
    #[pyattr(name = "_implementation")]
    const IMPLEMENTATION: &str = "brine";

    /// The options `dump` and `dumps` share.
    #[derive(FromArgs)]
    struct DumpOptions {
        #[pyarg(any, optional)]
        protocol: Option<PyObjectRef>,
        #[pyarg(named, default = true)]
        fix_imports: bool,
        #[pyarg(named, optional)]
        buffer_callback: Option<PyObjectRef>,
    }

    #[derive(FromArgs)]
    struct DumpsArgs {
        #[pyarg(any)]
        obj: PyObjectRef,
        #[pyarg(flatten)]
        options: DumpOptions,
    }

    #[derive(FromArgs)]
    struct DumpArgs {
        #[pyarg(any)]
        obj: PyObjectRef,
        #[pyarg(any)]
        file: PyObjectRef,
        #[pyarg(flatten)]
        options: DumpOptions,
    }

    fn dump_with(
        vm: &VirtualMachine,
        obj: &PyObjectRef,
        options: DumpOptions,
        write: Option<PyObjectRef>,
    ) -> PyResult<Vec<u8>> {
        let proto = resolve_protocol(vm, options.protocol)?;
        let buffer_callback = resolve_buffer_callback(vm, options.buffer_callback, proto)?;
        let hooks = Hooks {
            buffer_callback,
            ..Hooks::default()
        };
        PicklerState::one_shot(proto, options.fix_imports, |state| {
            Walker::new(vm, state, hooks, write).dump(obj)
        })
    }

    /// Pickles obj and returns the pickle as bytes.
    ///
    /// protocol picks the format (0-5, negative for the highest; the default is
    /// DEFAULT_PROTOCOL). fix_imports writes Python 3 names as Python 2 knows them for
    /// protocols below 3. buffer_callback (protocol 5) is called with each PickleBuffer;
    /// a buffer it accepts is left out of the pickle.
    #[pyfunction]
    fn dumps(args: DumpsArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let data = dump_with(vm, &args.obj, args.options, None)?;
        Ok(vm.ctx.new_bytes(data).into())
    }

    /// Pickles obj and writes the pickle to file, an object with a write(bytes) method.
    ///
    /// protocol, fix_imports and buffer_callback are as for dumps().
    #[pyfunction]
    fn dump(args: DumpArgs, vm: &VirtualMachine) -> PyResult<()> {
        let write = file_write(vm, &args.file)?;
        dump_with(vm, &args.obj, args.options, Some(write)).map(drop)
    }

    #[derive(FromArgs)]
    struct LoadsArgs {
        #[pyarg(positional)]
        data: PyObjectRef,
        #[pyarg(flatten)]
        keywords: LoadKeywords,
    }

    /// Rebuilds the object a pickle describes from the bytes-like data.
    ///
    /// fix_imports, encoding and errors say how Python 2 pickles are read: module names mapped
    /// to Python 3's, and 8-bit strings decoded (encoding='bytes' keeps them as bytes).
    /// buffers supplies, in order, the out-of-band buffers of a protocol 5 pickle.
    /// Loading runs code the pickle names: never load data from a source you do not trust.
    #[pyfunction]
    fn loads(args: LoadsArgs, vm: &VirtualMachine) -> PyResult {
        let options = args.keywords.into_options(vm)?;
        let mut builder = VmBuilder::new(vm, &options, LoadHooks::default());
        let limits = super::limits::of(vm);
        if let Some(bytes) = args.data.downcast_ref::<PyBytes>() {
            return decode(bytes.as_bytes(), &mut builder, &limits).map_err(|e| e.into_py(vm));
        }
        if args.data.downcast_ref::<PyStr>().is_some() {
            return Err(vm.new_type_error("a bytes-like object is required, not 'str'"));
        }
        // Other buffers are copied: Python code run by the load must not see them locked.
        let data = ArgBytesLike::try_from_object(vm, args.data)?
            .borrow_buf()
            .to_vec();
        decode(&data, &mut builder, &limits).map_err(|e| e.into_py(vm))
    }

    #[derive(FromArgs)]
    struct LoadArgs {
        #[pyarg(any)]
        file: PyObjectRef,
        #[pyarg(flatten)]
        keywords: LoadKeywords,
    }

    /// Reads one pickle from file (with read(), readline() and optionally readinto() and
    /// peek()) and rebuilds the object it describes; the file is left just after it.
    ///
    /// The keywords are as for loads(). Never load data from a source you do not trust.
    #[pyfunction]
    fn load(args: LoadArgs, vm: &VirtualMachine) -> PyResult {
        let file = file_methods(vm, &args.file)?;
        let options = args.keywords.into_options(vm)?;
        load_from_file(
            vm,
            file,
            &options,
            LoadHooks::default(),
            &mut Default::default(),
        )
    }
}
