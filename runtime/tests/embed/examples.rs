//! The programs under examples/embed, run as tests.

#[allow(dead_code)]
#[path = "../../../examples/embed/worker.rs"]
mod worker;

#[allow(dead_code)]
#[path = "../../../examples/embed/scripted_host.rs"]
mod scripted_host;

#[allow(dead_code)]
#[path = "../../../examples/embed/value_graph.rs"]
mod value_graph;

#[allow(dead_code)]
#[path = "../../../examples/embed/rules_engine.rs"]
mod rules_engine;

use super::workspace;
use pickle_core::value::Value;

#[test]
fn the_worker_sends_back_cpythons_bytes() {
    let fixtures = workspace().join("examples/embed/fixtures");
    let batch = std::fs::read(fixtures.join("tasks.pickle")).unwrap();
    let transform =
        std::fs::read_to_string(workspace().join("examples/embed/worker/transform.py")).unwrap();
    let result = worker::process(&batch, &transform).unwrap();
    // make_fixtures.py wrote what CPython pickles for the transformed batch.
    assert_eq!(
        result,
        std::fs::read(fixtures.join("expected.pickle")).unwrap()
    );
}

#[test]
fn the_scripted_host_captures_what_the_script_prints() {
    let (printed, world) = scripted_host::run_script(scripted_host::SCRIPT).unwrap();
    assert_eq!(
        printed,
        "scout moved to (5.0, 2.0)\nno such unit: 'ghost'\n"
    );
    assert_eq!(world["scout"], (5.0, 2.0));
}

#[test]
fn the_value_graph_tool_gets_medians_back_as_a_graph() {
    let data = std::fs::read(value_graph::READINGS).unwrap();
    let graph = value_graph::medians(&data).unwrap();
    let Value::Dict(pairs) = graph.graph.get(graph.root) else {
        panic!("a dict")
    };
    let pairs: Vec<(&str, f64)> = pairs
        .iter()
        .map(|&(k, v)| {
            let Value::Float(f) = graph.graph.get(v) else {
                panic!()
            };
            (graph.graph.get(k).as_str().unwrap(), *f)
        })
        .collect();
    assert_eq!(pairs, [("attic", 30.0), ("porch", 20.25)]);
}

#[test]
fn the_rules_engine_decides_each_order_and_holds_credit() {
    use rules_engine::{Credit, Decision};
    let rates = vec![
        ("USD".into(), 1.0),
        ("EUR".into(), 1.1),
        ("GBP".into(), 1.25),
    ];
    let rt = rules_engine::engine(rates).unwrap();
    let rules = rules_engine::load_rules(&rt, rules_engine::RULES).unwrap();
    let credit = Credit {
        limit: 400.0,
        used: 0.0,
    };
    let (decisions, left) =
        rules_engine::decide_all(&rt, &rules, &rules_engine::sample_orders(), credit).unwrap();
    assert_eq!(
        decisions,
        [
            Decision::Accept,
            Decision::Review {
                reason: "large order: 2000.00 USD".into()
            },
            Decision::Reject("restricted item".into()),
            Decision::Review {
                reason: "over the credit limit".into()
            },
        ]
    );
    assert!((left.used - 132.0).abs() < 1e-9, "{left:?}");
    // Another tenant's rules do not see these, and a rule that loops is stopped.
    let other = rules_engine::load_rules(
        &rt,
        "def decide(order, credit):\n    while True:\n        pass",
    )
    .unwrap();
    let looping = rules_engine::decide_all(
        &rt,
        &other,
        &rules_engine::sample_orders(),
        Credit {
            limit: 1.0,
            used: 0.0,
        },
    );
    assert!(
        matches!(looping, Err(brine::Error::Timeout { .. })),
        "{looping:?}"
    );
    assert!(rules.get::<brine::Object>("decide").unwrap().is_some());
}
