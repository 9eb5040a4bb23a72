//! Every example in `examples-1.json`: the input survives the form codec
//! and validates; the output, written as STS would send it, survives
//! decode → encode → decode with every leaf value intact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use awssts::model::*;
use common::sts::*;
use serde_json::Value;

/// Flattens example input JSON into awsQuery pairs.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}.member.{}", i + 1), item, out);
            }
        }
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        Value::Number(n) => out.push((prefix.to_owned(), n.to_string())),
        Value::Bool(b) => out.push((prefix.to_owned(), b.to_string())),
        Value::Null => {}
    }
}

/// Output JSON as STS XML: members as elements, in the JSON's order.
fn to_xml(v: &Value) -> String {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("<{k}>{}</{k}>", to_xml(v)))
            .collect(),
        Value::String(s) => xml_escape(s),
        Value::Number(n) => n.to_string(),
        other => panic!("unexpected output value {other}"),
    }
}

/// (element name, text) of every leaf.
fn leaves(v: &Value, name: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(v, k, out)),
        Value::String(s) => out.push((name.to_owned(), s.clone())),
        Value::Number(n) => out.push((name.to_owned(), n.to_string())),
        other => panic!("unexpected output value {other}"),
    }
}

fn check<O: awssts::protocol::Operation>(op: &str, example: &Value) {
    let title = example["title"].as_str().unwrap_or("?");
    let mut pairs = Vec::new();
    flatten("", &example["input"], &mut pairs);
    let mut back = form_round_trip::<O>(&pairs);
    pairs.sort();
    back.sort();
    assert_eq!(
        back, pairs,
        "{op} / {title}: input changed through the form codec"
    );
    if let Err(e) = validate::<O>(&pairs) {
        panic!("{op} / {title}: the example's input does not validate: {e}");
    }

    let output = &example["output"];
    let xml = xml_round_trip::<O>(&response(op, &to_xml(output)));
    let mut expected = Vec::new();
    leaves(output, "", &mut expected);
    assert!(!expected.is_empty());
    for (name, text) in expected {
        let element = format!("<{name}>{}</{name}>", xml_escape(&text));
        assert!(
            xml.contains(&element),
            "{op} / {title}: {element} lost:\n{xml}"
        );
    }
}

#[test]
fn every_example_round_trips() {
    let doc = load_json("examples-1.json");
    let mut count = 0;
    for (op, examples) in doc["examples"].as_object().unwrap() {
        for example in examples.as_array().unwrap() {
            with_op!(op.as_str(), check(op, example));
            count += 1;
        }
    }
    assert!(count >= 9, "only {count} examples");
}
