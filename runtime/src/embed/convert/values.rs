//! Object graphs between the VM and pickle-core's value model, with the sharing and cycles
//! they have, and globals only through an allow-list.

use crate::embed::api::error::Error;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use crate::pickle::embedding;
use crate::pickle::load::vm_builder::{LoadError, LoadOptions};
use pickle_core::compat::fix_import;
use pickle_core::inspect::AllowList;
use pickle_core::value::{self, Make, NodeId, Pickle, Value};

/// The protocol graphs travel in: the highest, which writes every kind of node as itself.
const PROTOCOL: u8 = pickle_core::encoder::HIGHEST_PROTOCOL;

impl Runtime {
    /// The object as a pickle-core graph: node for node what
    /// `pickle_core::value::from_slice(&rt.dumps(obj, 5)?)` reads, with shared references
    /// and cycles kept, and objects of classes kept as the calls that rebuild them. Plain
    /// data (the built-in types, exactly) becomes nodes directly, with no bytes in between.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use pickle_core::value::Value;
    ///
    /// let rt = Runtime::new()?;
    /// let shared = rt.eval::<brine::Object>("[[1, 2]] * 2")?; // one inner list, twice
    /// let pickle = rt.to_value(&shared)?;
    /// let Value::List(items) = pickle.graph.get(pickle.root) else { panic!() };
    /// assert_eq!(items[0], items[1]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_value(&self, obj: &Object) -> Result<Pickle, Error> {
        self.with_cx(|cx| {
            let obj = cx.unwrap(obj)?;
            embedding::to_value(cx.vm, &obj).map_err(|e| cx.error(e))
        })
    }

    /// The objects a graph describes, made in this runtime. Only plain data and the value
    /// types of pickle-core's default allow-list (`datetime`, `Decimal`, `OrderedDict`, ...)
    /// are made; a graph naming any other global is refused, before anything is called,
    /// with [`Error::Forbidden`] naming it. Use
    /// [`from_value_allowing`](Self::from_value_allowing) to allow more.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use pickle_core::decoder::Limits;
    ///
    /// let rt = Runtime::new()?;
    /// // The classic attack: cos\nsystem\n(S'echo hi'\ntR.
    /// let attack = pickle_core::value::from_slice(b"cos\nsystem\n(S'echo hi'\ntR.", &Limits::UNTRUSTED)?;
    /// let Err(Error::Forbidden { global }) = rt.from_value(&attack) else { panic!() };
    /// assert_eq!(global, "os.system");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_value(&self, pickle: &Pickle) -> Result<Object, Error> {
        self.from_value_allowing(pickle, &AllowList::safe_default())
    }

    /// [`from_value`](Self::from_value) with the globals `allow` allows (see
    /// `pickle_core::inspect::AllowList` for its entries: `module.name`, `module.*`). Python
    /// 2 names (`__builtin__.set`) are taken as Python 3's, as loading the pickle they came
    /// from would take them.
    pub fn from_value_allowing(&self, pickle: &Pickle, allow: &AllowList) -> Result<Object, Error> {
        check_globals(pickle, allow)?;
        let bytes = value::to_vec(pickle, PROTOCOL)?;
        let options = LoadOptions {
            python2_names: true,
            ..LoadOptions::default()
        };
        self.with_cx(|cx| match embedding::loads(cx.vm, &bytes, &options) {
            Ok(obj) => Ok(cx.wrap(obj)),
            Err(LoadError::Core(err)) => Err(Error::Pickle(err)),
            Err(LoadError::Py(exc)) => Err(cx.error(exc)),
        })
    }
}

/// Refuses a graph whose reachable nodes name a global `allow` does not allow, or an
/// extension code (which the runtime's registry could map to any global).
fn check_globals(pickle: &Pickle, allow: &AllowList) -> Result<(), Error> {
    let graph = &pickle.graph;
    let text = |id: NodeId| match graph.get(id) {
        Value::Str(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        other => format!("{other:?}"),
    };
    let check = |module: &str, name: &str| {
        let (module, name) = fix_import(module, name, 2);
        if allow.allows(module, name) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                global: format!("{module}.{name}"),
            })
        }
    };
    for id in reachable(pickle)? {
        match graph.get(id) {
            Value::Global { module, name } => check(&text(*module), &text(*name))?,
            Value::Object(object) => {
                if let Make::Inst { module, name, .. } = &object.make {
                    check(module, name)?;
                }
            }
            Value::Extension(code) => {
                return Err(Error::Forbidden {
                    global: format!("(extension code {code})"),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The nodes reachable from the root, each once, without recursion.
fn reachable(pickle: &Pickle) -> Result<Vec<NodeId>, Error> {
    let len = pickle.graph.len();
    let missing = |id: NodeId| {
        Error::Build(format!(
            "node {id} is not in the graph, which has {len} nodes"
        ))
    };
    let mut seen = vec![false; len];
    let mut order = Vec::new();
    let mut stack = vec![pickle.root];
    while let Some(id) = stack.pop() {
        if *seen.get(id).ok_or_else(|| missing(id))? {
            continue;
        }
        seen[id] = true;
        order.push(id);
        pickle
            .graph
            .get(id)
            .for_each_child(|child| stack.push(child));
    }
    Ok(order)
}
