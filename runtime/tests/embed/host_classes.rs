//! Host classes: Rust types as Python classes, their borrows checked at run time, made by
//! scripts or by the host, subclassed, pickled as CPython pickles a class with state.

use brine::{ClassBuilder, Error, ExceptionKind, HostClass, HostRef, Object, Output, Runtime};
use std::path::Path;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Account {
    owner: String,
    cents: i64,
}

impl HostClass for Account {
    const NAME: &'static str = "Account";

    fn define(class: &mut ClassBuilder<Self>) {
        class
            .doc("An account the host keeps.")
            .constructor(
                |owner: String, cents: Option<i64>| -> Result<Account, Error> {
                    let cents = cents.unwrap_or(0);
                    if cents < 0 {
                        return Err(Error::raise(
                            ExceptionKind::ValueError,
                            "negative opening balance",
                        ));
                    }
                    Ok(Account { owner, cents })
                },
            )
            .method("deposit", |this: &mut Account, cents: i64| {
                this.cents += cents;
                this.cents
            })
            .method("balance", |this: &Account| this.cents)
            // Calls back into Python while holding the value mutably.
            .method(
                "apply",
                |this: &mut Account, rt: &Runtime, rule: Object| -> Result<i64, Error> {
                    let _ = rt;
                    this.cents = rule.call((this.cents,))?;
                    Ok(this.cents)
                },
            )
            .getter("owner", |this: &Account| this.owner.clone())
            .setter("owner", |this: &mut Account, owner: String| {
                this.owner = owner
            })
            .getter("cents", |this: &Account| this.cents)
            .attribute("CURRENCY", "EUR")
            .method("__repr__", |this: &Account| {
                format!("Account({:?}, {})", this.owner, this.cents)
            })
            .method("__str__", |this: &Account| {
                format!("{}: {}", this.owner, this.cents)
            })
            .method(
                "__eq__",
                |this: &Account, other: Object| -> Result<bool, Error> {
                    Ok(match other.borrow::<Account>() {
                        Ok(other) => *this == *other,
                        Err(_) => false,
                    })
                },
            )
            .method("__hash__", |this: &Account| this.cents)
            .method("__len__", |this: &Account| this.owner.chars().count())
            .method("__enter__", |this: HostRef<Account>| this)
            .method(
                "__exit__",
                |this: &mut Account, _t: Object, _v: Object, _tb: Object| {
                    this.cents = 0;
                    false
                },
            )
            .subclassable()
            .pickle_serde();
    }
}

/// A counter whose pickled state is its list of steps.
#[derive(Clone)]
struct Tally(Vec<u32>);

impl HostClass for Tally {
    const NAME: &'static str = "Tally";

    fn define(class: &mut ClassBuilder<Self>) {
        class
            .constructor(|| Tally(Vec::new()))
            .method("add", |this: &mut Tally, step: u32| this.0.push(step))
            .method("total", |this: &Tally| this.0.iter().sum::<u32>())
            .pickle_state(
                |this: &Tally| this.0.clone(),
                |steps: Vec<u32>| -> Result<Tally, Error> {
                    if steps.len() > 1000 {
                        return Err(Error::raise(ExceptionKind::ValueError, "too many steps"));
                    }
                    Ok(Tally(steps))
                },
            );
    }
}

/// A class with neither constructor nor state, not subclassable, not Clone.
struct Ledger {
    entries: Vec<(String, f64)>,
}

impl HostClass for Ledger {
    const NAME: &'static str = "Ledger";

    fn define(class: &mut ClassBuilder<Self>) {
        class
            .method("add", |this: &mut Ledger, what: String, amount: f64| {
                this.entries.push((what, amount));
            })
            .method("__len__", |this: &Ledger| this.entries.len())
            .method(
                "__getitem__",
                |this: &Ledger, index: usize| -> Result<(String, f64), Error> {
                    this.entries.get(index).cloned().ok_or_else(|| {
                        Error::raise(ExceptionKind::IndexError, "ledger index out of range")
                    })
                },
            )
            .method(
                "__setitem__",
                |this: &mut Ledger, index: usize, amount: f64| {
                    if let Some(entry) = this.entries.get_mut(index) {
                        entry.1 = amount;
                    }
                },
            )
            .method(
                "__iter__",
                |this: &Ledger, rt: &Runtime| -> Result<Object, Error> {
                    let names: Vec<&str> = this.entries.iter().map(|e| e.0.as_str()).collect();
                    rt.call("builtins.iter", (names,))
                },
            )
            .method("__call__", |this: &Ledger, scale: f64| {
                this.entries.iter().map(|e| e.1).sum::<f64>() * scale
            });
    }
}

fn bank() -> Runtime {
    Runtime::builder()
        .stdout(Output::Capture)
        .module("bank", |m| {
            m.class::<Account>().class::<Ledger>().class::<Tally>();
            m.function("open", |owner: String| Account { owner, cents: 100 });
            m.function(
                "total",
                |a: HostRef<Account>, b: HostRef<Account>| -> Result<i64, Error> {
                    Ok(a.borrow()?.cents + b.borrow()?.cents)
                },
            );
        })
        .build()
        .unwrap()
}

fn python_error(rt: &Runtime, code: &str) -> (String, String) {
    match rt.run(code) {
        Err(Error::Python(err)) => (err.type_name().to_string(), err.message().to_string()),
        other => panic!("{code}: {other:?}"),
    }
}

#[test]
fn scripts_make_and_use_host_objects() {
    let rt = bank();
    rt.run(
        "from bank import Account\n\
         a = Account('ada', 5)\n\
         a.deposit(10)\n\
         a.owner = 'Ada'\n\
         print(repr(a), str(a), a.balance(), a.cents, a.owner, len(a), a.CURRENCY, Account.__doc__)\n\
         print(a == Account('Ada', 15), a != Account('Ada', 1), hash(a), type(a).__module__, type(a).__qualname__)\n\
         with a as same:\n\
         \x20   print(same is a, same.balance())\n\
         print(a.balance(), a.apply(lambda c: c + 7))",
    )
    .unwrap();
    assert_eq!(
        rt.take_stdout(),
        "Account(\"Ada\", 15) Ada: 15 15 15 Ada 3 EUR An account the host keeps.\n\
         True True 15 bank Account\n\
         True 15\n\
         0 7\n"
    );
    assert_eq!(
        python_error(&rt, "a.cents = 3"),
        (
            "AttributeError".into(),
            "property 'cents' of 'Account' object has no setter".into()
        )
    );
    assert_eq!(
        python_error(&rt, "a.nickname = 'x'"),
        (
            "AttributeError".into(),
            "'Account' object has no attribute 'nickname' and no __dict__ for setting new attributes"
                .into()
        )
    );
    assert_eq!(
        python_error(&rt, "Account('x', -1)"),
        ("ValueError".into(), "negative opening balance".into())
    );
    assert_eq!(
        python_error(&rt, "Account()"),
        (
            "TypeError".into(),
            "Account.__init__() takes at least 1 argument (0 given)".into()
        )
    );
    assert_eq!(
        python_error(&rt, "a.deposit('x')"),
        (
            "TypeError".into(),
            "Account.deposit() argument 1: cannot convert Python str to i64".into()
        )
    );

    let ledger_errors = [
        (
            "from bank import Ledger\nLedger()",
            "cannot create 'Ledger' instances",
        ),
        (
            "class Mine(Ledger):\n    pass",
            "type 'Ledger' is not an acceptable base type",
        ),
    ];
    for (code, message) in ledger_errors {
        assert_eq!(
            python_error(&rt, code),
            ("TypeError".into(), message.into())
        );
    }
}

#[test]
fn the_host_makes_borrows_and_receives_host_objects() {
    let rt = bank();
    let made = rt
        .object(&Account {
            owner: "bo".into(),
            cents: 1,
        })
        .unwrap();
    assert_eq!(made.repr().unwrap(), "Account(\"bo\", 1)");
    assert_eq!(made.type_name(), "Account");
    made.borrow_mut::<Account>().unwrap().cents = 40;
    assert_eq!(made.call_method::<i64>("balance", ()).unwrap(), 40);
    // A value that is not Clone, by value.
    let ledger = rt
        .host_object(Ledger {
            entries: vec![("rent".into(), 700.0), ("food".into(), 250.5)],
        })
        .unwrap();
    rt.globals().unwrap().set_item("ledger", &ledger).unwrap();
    rt.run(
        "ledger.add('tax', 49.5)\nledger[0] = 650.0\n\
         print(len(ledger), ledger[2], list(ledger), ledger(2.0))",
    )
    .unwrap();
    assert_eq!(
        rt.take_stdout(),
        "3 ('tax', 49.5) ['rent', 'food', 'tax'] 1900.0\n"
    );
    assert_eq!(ledger.borrow::<Ledger>().unwrap().entries[0].1, 650.0);
    assert_eq!(
        python_error(&rt, "ledger[9]"),
        ("IndexError".into(), "ledger index out of range".into())
    );
    // Returned from host functions; taken as HostRef parameters.
    rt.run("import bank\nx = bank.open('cy')\ny = bank.open('di')\nprint(type(x).__name__, bank.total(x, y))")
        .unwrap();
    assert_eq!(rt.take_stdout(), "Account 200\n");
    assert_eq!(
        python_error(&rt, "bank.total(x, 3)"),
        (
            "TypeError".into(),
            "total() argument 2: cannot convert Python int to Account".into()
        )
    );
    // The wrong type or a plain object is a conversion error on the Rust side.
    let Err(Error::Conversion { .. }) = ledger.borrow::<Account>() else {
        panic!("a Ledger is no Account")
    };
    let Err(Error::Conversion { found, .. }) = rt.eval::<Object>("3").unwrap().borrow::<Account>()
    else {
        panic!("an int is no Account")
    };
    assert_eq!(found, "int");
}

#[test]
fn conflicting_borrows_are_runtime_errors() {
    let rt = bank();
    rt.run("from bank import Account\na = Account('ada', 5)")
        .unwrap();
    // A &mut method calling back into Python, which calls a method of the same object.
    assert_eq!(
        python_error(&rt, "a.apply(lambda c: a.balance())"),
        (
            "RuntimeError".into(),
            "'Account' object is already mutably borrowed".into()
        )
    );
    assert_eq!(
        python_error(&rt, "a.apply(lambda c: a.deposit(1))"),
        (
            "RuntimeError".into(),
            "'Account' object is already borrowed".into()
        )
    );
    // The host holding a borrow while a script asks for the value mutably.
    let a: Object = rt.eval("a").unwrap();
    let held = a.borrow::<Account>().unwrap();
    assert_eq!(
        python_error(&rt, "a.deposit(1)"),
        (
            "RuntimeError".into(),
            "'Account' object is already borrowed".into()
        )
    );
    assert_eq!(
        rt.eval::<i64>("a.balance()").unwrap(),
        5,
        "shared borrows coexist"
    );
    let Err(Error::Python(err)) = a.borrow_mut::<Account>() else {
        panic!("a shared borrow is held")
    };
    assert_eq!(err.type_name(), "RuntimeError");
    drop(held);
    assert_eq!(rt.eval::<i64>("a.deposit(1)").unwrap(), 6);
    // An instance whose __init__ never ran.
    assert_eq!(
        python_error(&rt, "b = Account.__new__(Account)\nb.balance()"),
        (
            "RuntimeError".into(),
            "'Account' object is not initialized (its __init__ has not run)".into()
        )
    );
}

#[test]
fn python_subclasses_host_classes() {
    let rt = bank();
    rt.run(
        "from bank import Account\n\
         class Savings(Account):\n\
         \x20   def __init__(self, owner, rate):\n\
         \x20       super().__init__(owner, 1000)\n\
         \x20       self.rate = rate\n\
         \x20   def accrue(self):\n\
         \x20       return self.deposit(int(self.balance() * self.rate))\n\
         \x20   def __repr__(self):\n\
         \x20       return 'Savings<' + super().__repr__() + '>'\n\
         s = Savings('eve', 0.5)\n\
         print(s.accrue(), s.rate, isinstance(s, Account), repr(s))",
    )
    .unwrap();
    assert_eq!(
        rt.take_stdout(),
        "1500 0.5 True Savings<Account(\"eve\", 1500)>\n"
    );
    let s: Object = rt.eval("s").unwrap();
    assert_eq!(s.borrow::<Account>().unwrap().cents, 1500);
}

#[test]
fn pickling_is_refused_unless_the_class_declares_its_state() {
    let rt = bank();
    rt.run("import pickle, copy\nfrom bank import Account\nledger = __import__('bank').Ledger")
        .unwrap();
    let ledger = rt
        .host_object(Ledger {
            entries: Vec::new(),
        })
        .unwrap();
    rt.globals().unwrap().set_item("l", &ledger).unwrap();
    for code in [
        "pickle.dumps(l)",
        "pickle.dumps(l, 0)",
        "copy.copy(l)",
        "copy.deepcopy(l)",
    ] {
        assert_eq!(
            python_error(&rt, code),
            ("TypeError".into(), "cannot pickle 'Ledger' object".into()),
            "{code}"
        );
    }
    // A class with state pickles, copies and loads back, in brine; a state its set refuses
    // is that error.
    rt.run(
        "from bank import Tally\n\
         t = Tally()\n\
         t.add(2)\n\
         t.add(3)\n\
         u = pickle.loads(pickle.dumps(t))\n\
         assert (type(u), u.total()) == (Tally, 5)\n\
         bad = pickle.dumps(t).replace(b'K\\x02K\\x03', b'K\\x02K\\x03' * 600)",
    )
    .unwrap();
    assert_eq!(
        python_error(&rt, "pickle.loads(bad)"),
        ("ValueError".into(), "too many steps".into())
    );
    rt.run(
        "a = Account('Zoë', 1250)\n\
         for p in range(6):\n\
         \x20   b = pickle.loads(pickle.dumps(a, p))\n\
         \x20   assert b == a and b is not a and type(b) is Account, p\n\
         c = copy.deepcopy(a)\n\
         c.deposit(1)\n\
         assert (a.balance(), c.balance()) == (1250, 1251)",
    )
    .unwrap();
}

/// The pickles CPython 3.13 wrote of a Python class of the same module, name and state
/// (tests/fixtures/host_class/make_golden.py).
fn golden(protocol: u8) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/host_class")
        .join(format!("account_p{protocol}.pickle"));
    std::fs::read(path).unwrap()
}

#[test]
fn host_objects_pickle_to_the_bytes_cpython_writes_and_load_from_them() {
    let rt = bank();
    let a = rt
        .object(&Account {
            owner: "Zoë".into(),
            cents: 1250,
        })
        .unwrap();
    for protocol in 0..=5 {
        assert_eq!(
            rt.dumps(&a, protocol).unwrap(),
            golden(protocol),
            "protocol {protocol}"
        );
        let loaded = rt.loads(&golden(protocol)).unwrap();
        assert_eq!(
            *loaded.borrow::<Account>().unwrap(),
            Account {
                owner: "Zoë".into(),
                cents: 1250
            }
        );
    }
    // A Python class of that name and a __setstate__ loads brine's bytes (checked here with
    // the pure-Python unpickler and such a class standing in for CPython's side).
    let bytes = rt.dumps(&a, 0).unwrap();
    let other = Runtime::builder()
        .python_module(
            "bank",
            "class Account:\n    def __setstate__(self, state):\n        self.__dict__.update(state)",
        )
        .build()
        .unwrap();
    let loaded: Object = other.call("pickle._loads", (bytes,)).unwrap();
    assert_eq!(
        loaded
            .get_attr("owner")
            .unwrap()
            .extract::<String>()
            .unwrap(),
        "Zoë"
    );
    assert_eq!(
        loaded.get_attr("cents").unwrap().extract::<i64>().unwrap(),
        1250
    );
}

#[test]
fn host_classes_work_isolated_under_limits_and_across_threads() {
    let rt = Runtime::builder()
        .isolated()
        .stdout(Output::Capture)
        .module("bank", |m| {
            m.class::<Account>();
        })
        .build()
        .unwrap();
    rt.run("from bank import Account\na = Account('iso', 1)\nprint(a.deposit(2))")
        .unwrap();
    assert_eq!(rt.take_stdout(), "3\n");
    // A Python callback a host method runs is stopped by the time limit.
    let stopped = rt.with_time_limit(std::time::Duration::from_millis(50), |rt| {
        rt.run("def spin(c):\n    while True:\n        pass\na.apply(spin)")
    });
    assert!(matches!(stopped, Err(Error::Timeout { .. })), "{stopped:?}");
    // The value was released when the run unwound.
    assert_eq!(rt.eval::<i64>("a.balance()").unwrap(), 3);
    let a: Object = rt.eval("a").unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    a.call_method::<i64>("deposit", (1,)).unwrap();
                }
            });
        }
    });
    assert_eq!(a.borrow::<Account>().unwrap().cents, 203);
}
