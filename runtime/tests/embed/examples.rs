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
