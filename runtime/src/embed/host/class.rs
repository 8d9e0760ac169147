//! Host classes: a Rust type a script uses as a Python class, defined through a
//! [`ClassBuilder`] and registered with [`ModuleBuilder::class`](super::module::ModuleBuilder::class).
//!
//! The class is made for each runtime as its module is built: `type(name, (HostObject,),
//! namespace)`, so that the VM wires the dunders it is given to its slots as it does for a
//! class statement. `__new__` makes an instance with no value yet; the constructor is
//! `__init__`, and `__setstate__` where the class pickles; until one of them has run the
//! methods raise RuntimeError. Pickling is refused as CPython refuses it for a type that
//! does not declare its state.

use super::function::{ErasedFn, HostFunctionObject, HostLink};
use super::instance::HostInstance;
use super::method::HostMethod;
use super::params::Call;
use crate::embed::api::error::{Error, ExceptionKind};
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use crate::embed::convert::{FromPython, ToPython, Vm};
use parking_lot::Mutex;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{AsObject, PyObjectRef, VirtualMachine};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// A Rust type that scripts use as a Python class.
///
/// ```
/// use brine::{ClassBuilder, Error, HostClass, Output, Runtime};
///
/// #[derive(Clone)]
/// struct Account { owner: String, cents: i64 }
///
/// impl HostClass for Account {
///     const NAME: &'static str = "Account";
///
///     fn define(class: &mut ClassBuilder<Self>) {
///         class
///             .doc("A bank account kept by the host.")
///             .constructor(|owner: String| Account { owner, cents: 0 })
///             .method("deposit", |this: &mut Account, cents: i64| -> Result<i64, Error> {
///                 if cents <= 0 {
///                     return Err(Error::raise(brine::ExceptionKind::ValueError, "deposit must be positive"));
///                 }
///                 this.cents += cents;
///                 Ok(this.cents)
///             })
///             .getter("owner", |this: &Account| this.owner.clone())
///             .method("__repr__", |this: &Account| format!("Account({:?}, {})", this.owner, this.cents));
///     }
/// }
///
/// let rt = Runtime::builder()
///     .stdout(Output::Capture)
///     .module("bank", |m| { m.class::<Account>(); })
///     .build()?;
/// rt.run("from bank import Account\na = Account('ada')\na.deposit(250)\nprint(a, a.owner)")?;
/// assert_eq!(rt.take_stdout(), "Account(\"ada\", 250) ada\n");
/// let a = rt.eval::<brine::Object>("a")?;
/// assert_eq!(a.borrow::<Account>()?.cents, 250);
/// let b = rt.object(&Account { owner: "bo".into(), cents: 5 })?;
/// assert_eq!(b.repr()?, "Account(\"bo\", 5)");
/// # Ok::<(), Error>(())
/// ```
pub trait HostClass: Send + Sync + 'static {
    /// The class's name in Python (`__name__` and `__qualname__`).
    const NAME: &'static str;

    /// Defines the class: its constructor, methods, properties, dunders and attributes.
    fn define(class: &mut ClassBuilder<Self>)
    where
        Self: Sized;
}

/// A value made when the class is made.
type Constant = Box<dyn Fn(&Vm<'_>) -> Result<PyObjectRef, Error> + Send + Sync>;

/// A host value, as the instances hold it.
type Value = Box<dyn Any + Send + Sync>;
/// A class's value as its pickled state.
type GetState = Box<dyn Fn(&dyn Any, &Vm<'_>) -> Result<PyObjectRef, Error> + Send + Sync>;
/// A class's value rebuilt from its state.
type SetState =
    Box<dyn Fn(&rustpython_vm::PyObject, &Vm<'_>) -> Result<Value, Error> + Send + Sync>;

/// How a class that pickles turns its value into state and back.
struct State {
    get: GetState,
    set: SetState,
}

/// The definition of a host class `T` ([`HostClass::define`] fills it in).
///
/// ```
/// use brine::{ClassBuilder, Error, HostClass, Runtime};
///
/// struct Shape { sides: u32 }
///
/// impl HostClass for Shape {
///     const NAME: &'static str = "Shape";
///     fn define(class: &mut ClassBuilder<Self>) {
///         class
///             .doc("A polygon.")
///             .attribute("MAX_SIDES", 12)
///             .constructor(|sides: u32| Shape { sides })
///             .method("sides", |this: &Shape| this.sides)
///             .subclassable();
///     }
/// }
///
/// let rt = Runtime::builder().module("geo", |m| { m.class::<Shape>(); }).build()?;
/// rt.run("from geo import Shape\nclass Square(Shape):\n    def __init__(self):\n        super().__init__(4)")?;
/// assert_eq!(rt.eval::<(u32, u32)>("(Square().sides(), Shape.MAX_SIDES)")?, (4, 12));
/// # Ok::<(), Error>(())
/// ```
pub struct ClassBuilder<T> {
    doc: Option<String>,
    constructor: Option<ErasedFn>,
    methods: Vec<(String, ErasedFn)>,
    properties: Vec<(String, Option<ErasedFn>, Option<ErasedFn>)>,
    attributes: Vec<(String, Constant)>,
    subclassable: bool,
    state: Option<State>,
    _class: PhantomData<fn() -> T>,
}

/// What a constructor may return: the value, or an error to raise (as
/// [`ClassBuilder::pickle_state`]'s example's `set` returns).
pub trait Constructed<T> {
    /// The value.
    #[doc(hidden)]
    fn into_value(self) -> Result<T, Error>;
}

impl<T> Constructed<T> for T {
    fn into_value(self) -> Result<T, Error> {
        Ok(self)
    }
}

impl<T> Constructed<T> for Result<T, Error> {
    fn into_value(self) -> Result<T, Error> {
        self
    }
}

/// A Rust closure usable as a host class's constructor ([`ClassBuilder::constructor`]; an
/// example is [`HostClass`]'s): parameters as a host function's,
/// returning the value ([`Constructed`]).
pub trait HostConstructor<T, Args>: Send + Sync + 'static {
    /// Converts the arguments and makes the value.
    #[doc(hidden)]
    fn construct(&self, call: Call<'_>) -> Result<T, Error>;
}

macro_rules! host_constructors {
    ($($arg:ident),*) => {
        impl<T, F, R $(, $arg)*> HostConstructor<T, ($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: Constructed<T>,
            $($arg: FromPython,)*
        {
            #[allow(unused_mut, non_snake_case)]
            fn construct(&self, mut call: Call<'_>) -> Result<T, Error> {
                call.check(&[$($arg::PARAMETER),*])?;
                $(let $arg = $arg::from_arguments(&mut call)?;)*
                (self)($($arg),*).into_value()
            }
        }
    };
}

host_constructors!();
host_constructors!(A);
host_constructors!(A, B);
host_constructors!(A, B, C);
host_constructors!(A, B, C, D);
host_constructors!(A, B, C, D, E);
host_constructors!(A, B, C, D, E, G);
host_constructors!(A, B, C, D, E, G, H);

impl<T: HostClass> ClassBuilder<T> {
    fn new() -> Self {
        ClassBuilder {
            doc: None,
            constructor: None,
            methods: Vec::new(),
            properties: Vec::new(),
            attributes: Vec::new(),
            subclassable: false,
            state: None,
            _class: PhantomData,
        }
    }

    /// The class's docstring.
    pub fn doc(&mut self, text: &str) -> &mut Self {
        self.doc = Some(text.to_string());
        self
    }

    /// The constructor: `Class(args...)` converts the arguments as a host function's and
    /// makes the value (`__init__`; a Python subclass calls it with `super().__init__`).
    /// A class without one cannot be made by scripts, only by the host.
    pub fn constructor<Args: 'static>(&mut self, f: impl HostConstructor<T, Args>) -> &mut Self {
        let init: ErasedFn = Box::new(move |mut call: Call<'_>| {
            let this = call.take_receiver().ok_or_else(|| {
                Error::raise(ExceptionKind::TypeError, "__init__() needs the instance")
            })?;
            let cx = call.cx;
            let made = f.construct(call)?;
            let cell = super::instance::instance_of::<T>(this)
                .ok_or_else(|| super::instance::not_host::<T>(this))?;
            cell.fill(Box::new(made), T::NAME)?;
            Ok(cx.vm.ctx.none())
        });
        self.constructor = Some(init);
        self
    }

    /// A method: `name` in the class, called with the instance's value as `&T` or `&mut T`
    /// (borrowed for the call), optionally `&Runtime`, then the arguments. Dunders are
    /// methods too: `__repr__`, `__str__`, `__eq__` (with `__hash__`), `__len__`,
    /// `__getitem__`, `__setitem__`, `__iter__`, `__call__`, `__enter__`, `__exit__`...
    pub fn method<Args: 'static>(&mut self, name: &str, f: impl HostMethod<T, Args>) -> &mut Self {
        let method: ErasedFn = Box::new(move |call| f.call_method(call));
        self.methods.push((name.to_string(), method));
        self
    }

    /// A read-only property, or the getter of one with a [`setter`](Self::setter).
    pub fn getter<Args: 'static>(&mut self, name: &str, f: impl HostMethod<T, Args>) -> &mut Self {
        let getter: ErasedFn = Box::new(move |call| f.call_method(call));
        self.property(name).1 = Some(getter);
        self
    }

    /// The setter of property `name`: called with the value assigned.
    pub fn setter<Args: 'static>(&mut self, name: &str, f: impl HostMethod<T, Args>) -> &mut Self {
        let setter: ErasedFn = Box::new(move |call| f.call_method(call));
        self.property(name).2 = Some(setter);
        self
    }

    fn property(&mut self, name: &str) -> &mut (String, Option<ErasedFn>, Option<ErasedFn>) {
        let at = match self.properties.iter().position(|p| p.0 == name) {
            Some(at) => at,
            None => {
                self.properties.push((name.to_string(), None, None));
                self.properties.len() - 1
            }
        };
        &mut self.properties[at]
    }

    /// A class attribute, made when the class is.
    pub fn attribute(
        &mut self,
        name: &str,
        value: impl ToPython + Send + Sync + 'static,
    ) -> &mut Self {
        let make: Constant = Box::new(move |cx| value.to_py(cx));
        self.attributes.push((name.to_string(), make));
        self
    }

    /// Lets Python classes subclass this one (`class Savings(Account): ...`).
    pub fn subclassable(&mut self) -> &mut Self {
        self.subclassable = true;
        self
    }

    /// Makes the class pickle: as `module.Class`, its state what `get` returns (plain Python
    /// data), rebuilt by `set`. A CPython process with a Python class of that name and a
    /// `__setstate__` loads it too (`copyreg.__newobj__(Class)`, then `__setstate__(state)`).
    /// The state is the Rust value's alone: a Python subclass that keeps attributes of its own
    /// pickles them with its own `__getstate__`/`__setstate__` around `super()`'s.
    ///
    /// ```
    /// use brine::{ClassBuilder, Error, ExceptionKind, HostClass, Runtime};
    ///
    /// struct Version(u32, u32);
    ///
    /// impl HostClass for Version {
    ///     const NAME: &'static str = "Version";
    ///     fn define(class: &mut ClassBuilder<Self>) {
    ///         class
    ///             .constructor(|major: u32, minor: u32| Version(major, minor))
    ///             .getter("minor", |this: &Version| this.1)
    ///             .pickle_state(
    ///                 |this: &Version| (this.0, this.1),
    ///                 |(major, minor): (u32, u32)| -> Result<Version, Error> {
    ///                     if major == 0 {
    ///                         return Err(Error::raise(ExceptionKind::ValueError, "no version 0"));
    ///                     }
    ///                     Ok(Version(major, minor))
    ///                 },
    ///             );
    ///     }
    /// }
    ///
    /// let rt = Runtime::builder().module("versions", |m| { m.class::<Version>(); }).build()?;
    /// rt.run("import pickle\nfrom versions import Version\nv = pickle.loads(pickle.dumps(Version(3, 14)))")?;
    /// assert_eq!(rt.eval::<u32>("v.minor")?, 14);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn pickle_state<S, S2, R>(
        &mut self,
        get: impl Fn(&T) -> S + Send + Sync + 'static,
        set: impl Fn(S2) -> R + Send + Sync + 'static,
    ) -> &mut Self
    where
        S: ToPython,
        S2: FromPython,
        R: Constructed<T>,
    {
        self.state = Some(State {
            get: Box::new(move |value, cx| {
                let value = value.downcast_ref::<T>().expect("the class's own type");
                get(value).to_py(cx)
            }),
            set: Box::new(move |state, cx| {
                let state = S2::from_py(state, cx)?;
                let value: T = set(state).into_value()?;
                Ok(Box::new(value))
            }),
        });
        self
    }

    /// Makes the class pickle with serde: its state is the value as
    /// [`Runtime::serialize`] makes it, read back with [`Object::deserialize`].
    #[cfg(feature = "serde")]
    pub fn pickle_serde(&mut self) -> &mut Self
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        self.state = Some(State {
            get: Box::new(|value, cx| {
                let value = value.downcast_ref::<T>().expect("the class's own type");
                crate::embed::convert::serde::to_py(value, cx.vm)
            }),
            set: Box::new(|state, cx| {
                let value: T = crate::embed::convert::serde::from_py(state, cx.vm)?;
                Ok(Box::new(value))
            }),
        });
        self
    }
}

/// Registry of each runtime's host classes, by Rust type, for [`Runtime::host_object`] and
/// the conversion of host values.
type Registry = Mutex<HashMap<TypeId, PyTypeRef>>;
const REGISTRY: &str = "host classes";

fn registry(vm: &VirtualMachine) -> Arc<Registry> {
    if let Some(registry) = crate::per_interpreter::get::<Registry>(vm, REGISTRY) {
        return registry;
    }
    crate::per_interpreter::keep(vm, REGISTRY, Registry::default());
    crate::per_interpreter::get::<Registry>(vm, REGISTRY).expect("kept just now")
}

/// The class of `T` in `vm`'s runtime.
fn class_of<T: HostClass>(vm: &VirtualMachine) -> Result<PyTypeRef, Error> {
    registry(vm)
        .lock()
        .get(&TypeId::of::<T>())
        .cloned()
        .ok_or_else(|| {
            Error::Build(format!(
                "the host class {} is not in this runtime: register it with ModuleBuilder::class",
                T::NAME
            ))
        })
}

/// A new instance of `T`'s class in `cx`'s runtime, holding `value`.
pub(crate) fn instance<T: HostClass>(value: T, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
    let class = class_of::<T>(cx.vm)?;
    Ok(HostInstance::make(class, TypeId::of::<T>(), Some(Box::new(value)), cx.vm).into())
}

/// A cloneable host value converts to a new instance of its class holding a clone:
/// `rt.object(&value)`, a host function's result.
impl<T: HostClass + Clone> ToPython for T {
    fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
        rt.host_object(self.clone())
    }
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        instance(self.clone(), cx)
    }
}

impl Runtime {
    /// A new instance of `T`'s class holding `value` (which need not be `Clone`).
    ///
    /// ```
    /// use brine::{ClassBuilder, Error, HostClass, Runtime};
    ///
    /// struct Socketish { sent: Vec<String> } // not Clone
    ///
    /// impl HostClass for Socketish {
    ///     const NAME: &'static str = "Socketish";
    ///     fn define(class: &mut ClassBuilder<Self>) {
    ///         class.method("send", |this: &mut Socketish, text: String| this.sent.push(text));
    ///     }
    /// }
    ///
    /// let rt = Runtime::builder().module("net", |m| { m.class::<Socketish>(); }).build()?;
    /// let sock = rt.host_object(Socketish { sent: Vec::new() })?;
    /// sock.call_method::<()>("send", ("hello",))?;
    /// assert_eq!(sock.borrow::<Socketish>()?.sent, ["hello"]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn host_object<T: HostClass>(&self, value: T) -> Result<Object, Error> {
        self.with_cx(|cx| instance(value, cx).map(|obj| cx.wrap(obj)))
    }
}

/// Makes `T`'s class for the host module `module` of the runtime `link` reaches.
pub(crate) fn make_class<T: HostClass>(
    cx: &Vm<'_>,
    module: &str,
    link: &HostLink,
) -> Result<PyObjectRef, Error> {
    let mut builder = ClassBuilder::<T>::new();
    T::define(&mut builder);
    let class = builder.build(cx, module, link)?;
    registry(cx.vm)
        .lock()
        .insert(TypeId::of::<T>(), class.clone());
    Ok(class.into())
}

impl<T: HostClass> ClassBuilder<T> {
    fn build(self, cx: &Vm<'_>, module: &str, link: &HostLink) -> Result<PyTypeRef, Error> {
        let vm = cx.vm;
        let name = T::NAME;
        let namespace = vm.ctx.new_dict();
        let put = |key: &str, value: PyObjectRef| {
            namespace.set_item(key, value, vm).map_err(|e| cx.error(e))
        };
        let method = |method: &str, func: ErasedFn| {
            HostFunctionObject::method(&format!("{name}.{method}"), module, link.clone(), func)
                .into_object(cx)
        };
        put("__module__", vm.ctx.new_str(module).into())?;
        put("__qualname__", vm.ctx.new_str(name).into())?;
        put(
            "__doc__",
            match &self.doc {
                Some(doc) => vm.ctx.new_str(doc.as_str()).into(),
                None => vm.ctx.none(),
            },
        )?;
        put("__slots__", vm.ctx.empty_tuple.clone().into())?;
        let can_create = self.constructor.is_some() || self.state.is_some();
        put(
            "__new__",
            static_method(cx, method("__new__", new_fn::<T>(can_create))?)?,
        )?;
        if let Some(init) = self.constructor {
            put("__init__", method("__init__", init)?)?;
        }
        for (key, make) in &self.attributes {
            put(key, make(cx)?)?;
        }
        for (key, getter, setter) in self.properties {
            let getter = getter.map(|g| method(&key, g)).transpose()?;
            let setter = setter.map(|s| method(&key, s)).transpose()?;
            let none = || vm.ctx.none();
            let property = vm
                .ctx
                .types
                .property_type
                .as_object()
                .call(
                    (getter.unwrap_or_else(none), setter.unwrap_or_else(none)),
                    vm,
                )
                .map_err(|e| cx.error(e))?;
            put(&key, property)?;
        }
        let state = self.state.map(Arc::new);
        put(
            "__reduce_ex__",
            method("__reduce_ex__", reduce_fn::<T>(state.clone()))?,
        )?;
        if let Some(state) = state {
            put(
                "__setstate__",
                method("__setstate__", setstate_fn::<T>(state))?,
            )?;
        }
        for (key, func) in self.methods {
            put(&key, method(&key, func)?)?;
        }
        let base = HostInstance::base_type();
        let bases = vm.ctx.new_tuple(vec![base.into()]);
        let class = vm
            .ctx
            .types
            .type_type
            .as_object()
            .call((vm.ctx.new_str(name), bases, namespace), vm)
            .map_err(|e| cx.error(e))?
            .downcast::<PyType>()
            .expect("type() makes a type");
        if !self.subclassable {
            class
                .slots
                .flags
                .remove_masked(PyTypeFlags::from_slice(&[PyTypeFlags::BASETYPE]));
        }
        Ok(class)
    }
}

/// `staticmethod(f)`.
fn static_method(cx: &Vm<'_>, f: PyObjectRef) -> Result<PyObjectRef, Error> {
    cx.vm
        .ctx
        .types
        .staticmethod_type
        .as_object()
        .call((f,), cx.vm)
        .map_err(|e| cx.error(e))
}

/// `__new__(cls, *args, **kwargs)`: an instance with no value yet, for `__init__` or
/// `__setstate__` to fill; refused, as CPython refuses it for a type without `tp_new`, when
/// the class has neither.
fn new_fn<T: HostClass>(can_create: bool) -> ErasedFn {
    Box::new(move |mut call: Call<'_>| {
        let cx = call.cx;
        let vm = cx.vm;
        let cls = call
            .take_receiver()
            .and_then(|cls| cls.clone().downcast::<PyType>().ok())
            .filter(|cls| cls.fast_issubclass(HostInstance::base_type().as_object()))
            .ok_or_else(|| {
                Error::raise(
                    ExceptionKind::TypeError,
                    format!("{}.__new__(X): X is not a subtype of {}", T::NAME, T::NAME),
                )
            })?;
        if !can_create {
            return Err(Error::raise(
                ExceptionKind::TypeError,
                format!("cannot create '{}' instances", cls.name()),
            ));
        }
        Ok(HostInstance::make(cls, TypeId::of::<T>(), None, vm).into())
    })
}

/// `__reduce_ex__(protocol)`: `(copyreg.__newobj__, (type(self),), state)` for a class
/// that declared its state; CPython's refusal for one that did not.
fn reduce_fn<T: HostClass>(state: Option<Arc<State>>) -> ErasedFn {
    Box::new(move |mut call: Call<'_>| {
        let cx = call.cx;
        let vm = cx.vm;
        let this = call.take_receiver().cloned();
        let this = this.ok_or_else(|| {
            Error::raise(ExceptionKind::TypeError, "__reduce_ex__ needs the instance")
        })?;
        let class_name = this.class().name().to_string();
        let Some(state) = &state else {
            return Err(Error::raise(
                ExceptionKind::TypeError,
                format!("cannot pickle '{class_name}' object"),
            ));
        };
        let cell = super::instance::instance_of::<T>(&this)
            .ok_or_else(|| super::instance::not_host::<T>(&this))?;
        let value = cell.read_any(&class_name)?;
        let state = (state.get)(&*value, cx)?;
        drop(value);
        let copyreg = vm.import("copyreg", 0).map_err(|e| cx.error(e))?;
        let newobj = copyreg
            .get_attr("__newobj__", vm)
            .map_err(|e| cx.error(e))?;
        let args = vm.ctx.new_tuple(vec![this.class().to_owned().into()]);
        Ok(vm.ctx.new_tuple(vec![newobj, args.into(), state]).into())
    })
}

/// `__setstate__(state)`: the value rebuilt from the state, put in the instance.
fn setstate_fn<T: HostClass>(state: Arc<State>) -> ErasedFn {
    Box::new(move |mut call: Call<'_>| {
        let cx = call.cx;
        let this = call.take_receiver().cloned().ok_or_else(|| {
            Error::raise(ExceptionKind::TypeError, "__setstate__ needs the instance")
        })?;
        call.check(&[crate::embed::convert::Parameter::Required])?;
        let (_, given) = call.next_positional().expect("checked");
        let value = (state.set)(given, cx)?;
        let cell = super::instance::instance_of::<T>(&this)
            .ok_or_else(|| super::instance::not_host::<T>(&this))?;
        cell.fill(value, T::NAME)?;
        Ok(cx.vm.ctx.none())
    })
}
