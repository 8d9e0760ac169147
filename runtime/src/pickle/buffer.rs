//! `PickleBuffer`: a wrapper around a buffer-providing object that protocol 5 can pickle
//! out of band.

pub(crate) use pickle_buffer::PyPickleBuffer;

#[rustpython_vm::pymodule(sub, name = "_pickle")]
pub(crate) mod pickle_buffer {
    use rustpython_common::lock::PyRwLock;
    use rustpython_vm::builtins::{PyMemoryView, PyType};
    use rustpython_vm::protocol::{BufferFlags, PyBuffer};
    use rustpython_vm::types::{AsBuffer, Constructor};
    use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, Traverse, VirtualMachine, pyclass};

    /// PickleBuffer(buffer)
    ///
    /// Wraps a bytes-like object so that protocol 5 can pickle it out of band: handed to
    /// buffer_callback instead of copied into the pickle.
    #[pyattr]
    #[pyclass(module = "pickle", name = "PickleBuffer", traverse)]
    #[derive(Debug, PyPayload)]
    pub(crate) struct PyPickleBuffer {
        /// `None` once released.
        buffer: PyRwLock<Option<PyBuffer>>,
    }

    impl PyPickleBuffer {
        /// The wrapped buffer, or CPython's ValueError after `release()`.
        pub(crate) fn buffer(&self, vm: &VirtualMachine) -> PyResult<PyBuffer> {
            self.buffer.read().clone().ok_or_else(|| {
                vm.new_value_error("operation forbidden on released PickleBuffer object")
            })
        }
    }

    impl Constructor for PyPickleBuffer {
        type Args = PyObjectRef;

        fn py_new(_cls: &Py<PyType>, obj: PyObjectRef, vm: &VirtualMachine) -> PyResult<Self> {
            let buffer = PyBuffer::from_object(vm, &obj, BufferFlags::FULL_RO)?;
            Ok(PyPickleBuffer {
                buffer: PyRwLock::new(Some(buffer)),
            })
        }
    }

    impl AsBuffer for PyPickleBuffer {
        fn as_buffer(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyBuffer> {
            zelf.buffer(vm)
        }
    }

    #[pyclass(with(Constructor, AsBuffer), flags(HAS_WEAKREF))]
    impl PyPickleBuffer {
        /// A memoryview of the raw bytes (format 'B'); the buffer must be contiguous.
        #[pymethod]
        fn raw(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult {
            let buffer = zelf.buffer(vm)?;
            if !buffer.desc.is_contiguous() {
                return Err(
                    vm.new_buffer_error("cannot extract raw buffer from non-contiguous buffer")
                );
            }
            let view = PyMemoryView::from_buffer(buffer, vm)?.into_ref(&vm.ctx);
            vm.call_method(view.as_ref(), "cast", ("B",))
        }

        /// Releases the wrapped buffer.
        /// Releases the wrapped buffer; the PickleBuffer cannot be used afterwards.
        #[pymethod]
        fn release(zelf: &Py<Self>) {
            if let Some(buffer) = zelf.buffer.write().take() {
                buffer.release();
            }
        }
    }
}
