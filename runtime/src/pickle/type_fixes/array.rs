//! `array.array.__reduce_ex__` as CPython's `array_reduce_ex`.
//!
//! From protocol 3 an array is written as `array._array_reconstructor(cls, typecode,
//! mformat_code, bytes)`, where the machine format code says how to read the bytes.
//! RustPython 0.6 swaps signedness in that code (it marks the uppercase, unsigned typecodes
//! signed), so CPython read `array('b', [-1])` as `array('B', [255])`: data corrupted on the
//! way to CPython. Below protocol 3 (and for a format CPython does not know) it is
//! `(cls, (typecode, list), state)`, which RustPython's own `__reduce__` already writes.

use rustpython_vm::builtins::{PyModule, PyStrRef, PyTypeRef};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::ffi::{c_int, c_long, c_short};
use std::mem::size_of;
use std::sync::Once;

static CORRECTED: Once = Once::new();

/// Gives the module's `array` type CPython's `__reduce_ex__` (the type is the process's, so
/// once).
pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let class: PyTypeRef = module.get_attr("array", vm)?.try_into_value(vm)?;
    CORRECTED.call_once(|| {
        super::methods::set_method(vm, super::methods::leak(class), "__reduce_ex__", reduce_ex);
    });
    Ok(())
}

fn reduce_ex(zelf: PyObjectRef, protocol: isize, vm: &VirtualMachine) -> PyResult {
    let typecode: PyStrRef = zelf.get_attr("typecode", vm)?.try_into_value(vm)?;
    let typecode = typecode.to_str().unwrap_or_default();
    let code = typecode.chars().next().and_then(machine_format_code);
    let Some(code) = code.filter(|_| protocol >= 3) else {
        return vm.call_method(&zelf, "__reduce__", ());
    };
    let bytes = vm.call_method(&zelf, "tobytes", ())?;
    let reconstructor = vm
        .import("array", 0)?
        .get_attr("_array_reconstructor", vm)?;
    let state = zelf.dict().map_or_else(|| vm.ctx.none(), Into::into);
    // CPython's typecode is a one-character string, one object per character.
    let typecode = vm.ctx.intern_str(typecode).to_owned();
    let args = vm.new_tuple((zelf.class().to_owned(), typecode, code, bytes));
    Ok(vm.new_tuple((reconstructor, args, state)).into())
}

/// CPython's `typecode_to_mformat_code`: the machine format of a typecode on this machine.
fn machine_format_code(typecode: char) -> Option<u8> {
    let big_endian = u8::from(cfg!(target_endian = "big"));
    let (size, signed) = match typecode {
        'b' => return Some(1),
        'B' => return Some(0),
        'f' => return Some(14 + big_endian),
        'd' => return Some(16 + big_endian),
        // UTF-16 where wchar_t has two bytes, else UTF-32; 'w' is always UCS-4.
        'u' if cfg!(windows) => return Some(18 + big_endian),
        'u' | 'w' => return Some(20 + big_endian),
        'h' | 'H' => (size_of::<c_short>(), typecode == 'h'),
        'i' | 'I' => (size_of::<c_int>(), typecode == 'i'),
        'l' | 'L' => (size_of::<c_long>(), typecode == 'l'),
        'q' | 'Q' => (8, typecode == 'q'),
        _ => return None,
    };
    let base = match size {
        2 => 2,
        4 => 6,
        8 => 10,
        _ => return None,
    };
    Some(base + 2 * u8::from(signed) + big_endian)
}

#[cfg(test)]
mod tests {
    use super::machine_format_code;

    #[test]
    fn signed_typecodes_get_cpythons_signed_codes() {
        // CPython's enum machine_format_code, little-endian x86_64 Linux.
        let expected = [
            ('b', 1),
            ('B', 0),
            ('h', 4),
            ('H', 2),
            ('i', 8),
            ('I', 6),
            ('l', 12),
            ('L', 10),
            ('q', 12),
            ('Q', 10),
            ('f', 14),
            ('d', 16),
            ('w', 20),
            ('u', 20),
        ];
        if cfg!(all(
            target_endian = "little",
            unix,
            target_pointer_width = "64"
        )) {
            for (typecode, code) in expected {
                assert_eq!(machine_format_code(typecode), Some(code), "{typecode}");
            }
        }
        assert_eq!(machine_format_code('x'), None);
    }
}
