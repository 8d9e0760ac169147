//! The chapter's neighbours: `copy` and `shelve` use the same protocols as pickle.

mod support;

use support::per_protocol;

/// A prelude importing the golden fixture classes and the graph comparison.
fn with_fixtures(code: &str) -> String {
    let golden = support::fixtures().join("golden");
    support::python(&format!(
        "import sys\nsys.path.insert(0, {:?})\nimport copy, pickle\nimport golden_classes as g, graph\n{code}",
        golden.to_str().unwrap()
    ))
}

/// Instances whose copies must equal their pickle round trips (same types, values, sharing).
const INSTANCES: &str = "p = g.Plain(1, [2, 3]); shared = [p, p]\n\
    objects = {'plain': p, 'shared': shared, 'slotted': g.Slotted(1, 2), 'slots_and_dict': g.SlottedAndDict(1),\n\
    'getnewargs': g.NewArgs(1, 'b'), 'getnewargs_ex': g.NewArgsEx(1, b=2), 'reduce_two': g.ReduceTwo(3),\n\
    'list_sub': g.MyListAttr([1, 2]), 'dict_sub': g.MyDictAttr({'k': 1}), 'namedtuple': g.Pair(1, 2),\n\
    'dataclass': g.Record('r', 1.5, ['t']), 'enum': g.Color.RED, 'registered': g.Registered(2)}\n";

per_protocol! {
    /// Slotted classes without `__getstate__` cannot be pickled below protocol 2 (CPython refuses),
    /// so those rows start at protocol 2.
    fn deepcopy_matches_a_pickle_round_trip(proto: u8) {
        let skip = if proto < 2 {
            "('slotted', 'slots_and_dict')"
        } else {
            "()"
        };
        let out = with_fixtures(&format!(
            "{INSTANCES}for name, obj in objects.items():\n    \
             if name in {skip}: continue\n    \
             why = graph.difference(pickle.loads(pickle.dumps(obj, {proto})), copy.deepcopy(obj))\n    \
             print(name, why or 'same')"
        ));
        assert!(out.lines().all(|l| l.ends_with(" same")), "{out}");
        assert!(out.lines().count() >= 11, "{out}");
    }
}

#[test]
fn copy_and_deepcopy_use_getstate_setstate_and_share_correctly() {
    let out = with_fixtures(
        "x = g.GetSetState(5)\n\
         c, d = copy.copy(x), copy.deepcopy(x)\n\
         print(c.value, c.cache, d.value, d.cache)\n\
         inner = [1]; holder = g.Plain(inner, inner)\n\
         s, dc = copy.copy(holder), copy.deepcopy(holder)\n\
         print(s.a is inner, dc.a is inner, dc.a is dc.b)\n\
         r = g.Registered(3); print(copy.copy(r).v, copy.deepcopy(r).v)",
    );
    assert_eq!(out, "5 rebuilt 5 rebuilt\nTrue False True\n30 30\n");
}

#[test]
fn shelve_over_dbm_dumb_stores_and_reloads_instances() {
    let dir = std::env::temp_dir().join(format!("brine-shelve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store");
    let out = with_fixtures(&format!(
        "import dbm.dumb, shelve\n\
         path = {:?}\n\
         with shelve.Shelf(dbm.dumb.open(path, 'c')) as db:\n    \
         db['plain'] = g.Plain(1, 'two'); db['slotted'] = g.Slotted(3, 4); db['list'] = [g.Color.GREEN, g.Pair(5, 6)]\n\
         with shelve.Shelf(dbm.dumb.open(path, 'r')) as db:\n    \
         p, s, l = db['plain'], db['slotted'], db['list']\n    \
         print(sorted(db.keys()), p.a, p.b, s.x, s.y, l)",
        path.to_str().unwrap()
    ));
    assert_eq!(
        out,
        "['list', 'plain', 'slotted'] 1 two 3 4 [<Color.GREEN: 2>, Pair(left=5, right=6)]\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
