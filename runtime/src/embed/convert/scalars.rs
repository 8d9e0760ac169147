//! Scalars: `bool`, the integer types, floats, text, `()` and big integers.

use super::{FromPython, ToPython, Vm, mismatch};
use crate::embed::api::error::Error;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{PyBytes, PyFloat, PyInt, PyStr};
use rustpython_vm::function::ArgBytesLike;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, TryFromObject};

/// `to_python` in terms of the hidden `to_py`, for the built-in impls.
macro_rules! to_python_via_vm {
    () => {
        fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
            rt.with_cx(|cx| self.to_py(cx).map(|obj| cx.wrap(obj)))
        }
    };
}

/// `from_python` in terms of the hidden `from_py`, for the built-in impls.
macro_rules! from_python_via_vm {
    () => {
        fn from_python(obj: &Object) -> Result<Self, Error> {
            obj.with_raw(|raw, cx| Self::from_py(raw, cx))
        }
    };
}
pub(crate) use {from_python_via_vm, to_python_via_vm};

impl ToPython for bool {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.new_bool(*self).into())
    }
}

impl FromPython for bool {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        let ctx = &cx.vm.ctx;
        if obj.is(&ctx.true_value) {
            Ok(true)
        } else if obj.is(&ctx.false_value) {
            Ok(false)
        } else {
            Err(mismatch(obj, "bool"))
        }
    }
}

/// The `int` value of `obj` (an `int` or a subclass, `bool` included), or a mismatch naming
/// `target`.
fn int_of<'o>(obj: &'o PyObject, target: &str) -> Result<&'o PyInt, Error> {
    obj.downcast_ref::<PyInt>()
        .map(|i| &**i)
        .ok_or_else(|| mismatch(obj, target))
}

/// The error for an `int` outside the range of `target`.
fn out_of_range(value: &PyInt, target: &str) -> Error {
    Error::Conversion {
        expected: target.to_string(),
        found: "int".to_string(),
        detail: Some(format!("{} is out of range", value.as_bigint())),
    }
}

macro_rules! integer_conversions {
    ($($t:ty => $to:ident),* $(,)?) => {$(
        impl ToPython for $t {
            to_python_via_vm!();
            fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
                Ok(cx.vm.ctx.new_int(*self).into())
            }
        }

        impl FromPython for $t {
            from_python_via_vm!();
            fn from_py(obj: &PyObject, _cx: &Vm<'_>) -> Result<Self, Error> {
                let int = int_of(obj, stringify!($t))?;
                int.as_bigint()
                    .$to()
                    .ok_or_else(|| out_of_range(int, stringify!($t)))
            }
        }
    )*};
}

integer_conversions!(
    i8 => to_i8, i16 => to_i16, i32 => to_i32, i64 => to_i64, i128 => to_i128, isize => to_isize,
    u16 => to_u16, u32 => to_u32, u64 => to_u64, u128 => to_u128, usize => to_usize,
);

// u8 is the one integer whose slices are `bytes`, not lists.
impl ToPython for u8 {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.new_int(*self).into())
    }

    fn slice_to_py(items: &[Self], cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.new_bytes(items.to_vec()).into())
    }
}

impl FromPython for u8 {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, _cx: &Vm<'_>) -> Result<Self, Error> {
        let int = int_of(obj, "u8")?;
        int.as_bigint()
            .to_u8()
            .ok_or_else(|| out_of_range(int, "u8"))
    }

    fn vec_from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Vec<Self>, Error> {
        if let Some(bytes) = obj.downcast_ref::<PyBytes>() {
            return Ok(bytes.as_bytes().to_vec());
        }
        if obj.downcast_ref::<PyStr>().is_some() {
            return Err(mismatch(obj, "bytes"));
        }
        let buffer = ArgBytesLike::try_from_object(cx.vm, obj.to_owned())
            .map_err(|_| mismatch(obj, "bytes"))?;
        Ok(buffer.borrow_buf().to_vec())
    }
}

impl ToPython for num_bigint::BigInt {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        let value = malachite_bigint::BigInt::from_signed_bytes_le(&self.to_signed_bytes_le());
        Ok(cx.vm.ctx.new_bigint(&value).into())
    }
}

impl FromPython for num_bigint::BigInt {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, _cx: &Vm<'_>) -> Result<Self, Error> {
        let bytes = int_of(obj, "BigInt")?.as_bigint().to_signed_bytes_le();
        Ok(num_bigint::BigInt::from_signed_bytes_le(&bytes))
    }
}

impl ToPython for f64 {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.new_float(*self).into())
    }
}

impl FromPython for f64 {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, _cx: &Vm<'_>) -> Result<Self, Error> {
        if let Some(float) = obj.downcast_ref::<PyFloat>() {
            return Ok(float.to_f64());
        }
        // As Python's float(n): an int converts when it is within the float range.
        let int = int_of(obj, "f64")?;
        int.as_bigint()
            .to_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| out_of_range(int, "f64"))
    }
}

impl ToPython for f32 {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        f64::from(*self).to_py(cx)
    }
}

impl FromPython for f32 {
    from_python_via_vm!();
    /// The nearest `f32`: precision is lost as in a Rust `as` cast, but a finite value too
    /// large for `f32` is refused rather than made infinite.
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        let value = f64::from_py(obj, cx)?;
        let narrow = value as f32;
        if value.is_finite() && narrow.is_infinite() {
            return Err(Error::Conversion {
                expected: "f32".to_string(),
                found: obj.class().name().to_string(),
                detail: Some(format!("{value:?} is out of range")),
            });
        }
        Ok(narrow)
    }
}

impl ToPython for str {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.new_str(self).into())
    }
}

impl ToPython for String {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self.as_str().to_py(cx)
    }
}

impl FromPython for String {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, _cx: &Vm<'_>) -> Result<Self, Error> {
        let text = obj
            .downcast_ref::<PyStr>()
            .ok_or_else(|| mismatch(obj, "String"))?;
        text.to_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Conversion {
                expected: "String".to_string(),
                found: "str".to_string(),
                detail: Some("it holds a lone surrogate, which UTF-8 cannot".to_string()),
            })
    }
}

impl ToPython for () {
    to_python_via_vm!();
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        Ok(cx.vm.ctx.none())
    }
}

impl FromPython for () {
    from_python_via_vm!();
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        if cx.vm.is_none(obj) {
            Ok(())
        } else {
            Err(mismatch(obj, "None"))
        }
    }
}
