//! The endpoint test cases of STS's Smithy model (`smithy.rules#endpointTests`
//! on the service shape), run against `awssts::endpoint::resolve`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use awssts::endpoint::{DEFAULT_SIGNING_REGION, Params, resolve};
use serde_json::{Map, Value};

const SERVICE: &str = "com.amazonaws.sts#AWSSecurityTokenServiceV20110615";
const EXPECTED_CASES: usize = 73;
/// The rule set's parameters, each of which is a `Params` field.
const PARAMETERS: [&str; 5] = [
    "Region",
    "UseDualStack",
    "UseFIPS",
    "UseGlobalEndpoint",
    "Endpoint",
];

fn read_json(file: &str) -> Value {
    let path = common::reference_dir().join("sts-model").join(file);
    serde_json::from_str(&common::read_text(&path)).unwrap()
}

fn service_traits() -> Map<String, Value> {
    let model = read_json("sts-2011-06-15.smithy.json");
    model["shapes"][SERVICE]["traits"]
        .as_object()
        .unwrap_or_else(|| panic!("no traits on {SERVICE}"))
        .clone()
}

fn params_of(case: &Value) -> Params {
    let mut params = Params::default();
    let Some(given) = case.get("params") else {
        return params;
    };
    for (name, value) in given.as_object().unwrap() {
        let text = || Some(value.as_str().unwrap().to_owned());
        let flag = || value.as_bool().unwrap();
        match name.as_str() {
            "Region" => params.region = text(),
            "Endpoint" => params.endpoint = text(),
            "UseDualStack" => params.use_dual_stack = flag(),
            "UseFIPS" => params.use_fips = flag(),
            "UseGlobalEndpoint" => params.use_global_endpoint = flag(),
            other => panic!("test case parameter `{other}` has no Params field"),
        }
    }
    params
}

#[test]
fn the_rule_set_has_exactly_the_params_fields() {
    let traits = service_traits();
    let from_file = read_json("endpoint-rule-set-1.json");
    for (source, rule_set) in [
        ("endpoint-rule-set-1.json", &from_file),
        ("the Smithy model", &traits["smithy.rules#endpointRuleSet"]),
    ] {
        let mut names: Vec<&str> = rule_set["parameters"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut expected = PARAMETERS.to_vec();
        expected.sort_unstable();
        assert_eq!(
            names, expected,
            "{source}: the rule set's parameters changed; Params must follow"
        );
        // The booleans default to false, which is what Params::default() says.
        for flag in ["UseDualStack", "UseFIPS", "UseGlobalEndpoint"] {
            assert_eq!(
                rule_set["parameters"][flag]["default"],
                Value::Bool(false),
                "{source}: {flag}"
            );
        }
    }
}

/// A partition's outputs in `partitions.json`, for the region named in it.
fn listed_partition(partitions: &Value, region: &str) -> Option<Map<String, Value>> {
    partitions["partitions"].as_array()?.iter().find_map(|p| {
        let entry = p["regions"].get(region)?.as_object()?;
        let mut outputs = p["outputs"].as_object()?.clone();
        for (k, v) in entry {
            if k != "description" {
                outputs.insert(k.clone(), v.clone());
            }
        }
        Some(outputs)
    })
}

/// The model's test cases date from April 2025, when the ISO partitions had
/// no dual-stack endpoints; `partitions.json` is newer and gives them one.
/// A case expecting "does not support" is accepted as superseded only when
/// the current file says the partition does support what was asked, and
/// the URL is exactly the dual-stack one the rules build from the file.
fn superseded_by_partitions(
    partitions: &Value,
    params: &Params,
    expected_error: &str,
    url: &str,
) -> bool {
    if !expected_error.contains("does not support") || !params.use_dual_stack {
        return false;
    }
    let Some(region) = params.region.as_deref() else {
        return false;
    };
    let Some(outputs) = listed_partition(partitions, region) else {
        return false;
    };
    let supports = |key: &str| outputs.get(key) == Some(&Value::Bool(true));
    if !supports("supportsDualStack") || (params.use_fips && !supports("supportsFIPS")) {
        return false;
    }
    let host = if params.use_fips { "sts-fips" } else { "sts" };
    let suffix = outputs["dualStackDnsSuffix"].as_str().unwrap();
    url == format!("https://{host}.{region}.{suffix}")
}

#[test]
fn every_endpoint_test_case_of_the_model() {
    let traits = service_traits();
    let partitions = read_json("partitions.json");
    let cases = traits["smithy.rules#endpointTests"]["testCases"]
        .as_array()
        .expect("smithy.rules#endpointTests has testCases");
    assert_eq!(cases.len(), EXPECTED_CASES, "number of endpoint test cases");

    let mut failures = Vec::new();
    let mut superseded = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let doc = case["documentation"]
            .as_str()
            .unwrap_or("(no documentation)");
        let params = params_of(case);
        let got = resolve(&params);
        let expect = &case["expect"];
        let mut fail = |why: String| failures.push(format!("case {i} `{doc}` ({params:?}): {why}"));
        if let Some(message) = expect.get("error").and_then(Value::as_str) {
            match &got {
                Err(e) if e.message() == message => {}
                Err(e) => fail(format!("error `{}`, expected `{message}`", e.message())),
                Ok(ep) if superseded_by_partitions(&partitions, &params, message, &ep.url) => {
                    superseded.push(format!("case {i} `{doc}`: now {}", ep.url));
                }
                Ok(ep) => fail(format!("endpoint {ep:?}, expected error `{message}`")),
            }
            continue;
        }
        let endpoint = expect["endpoint"]
            .as_object()
            .unwrap_or_else(|| panic!("case {i}: expects neither error nor endpoint"));
        let got = match got {
            Ok(ep) => ep,
            Err(e) => {
                fail(format!("error `{e}`, expected {endpoint:?}"));
                continue;
            }
        };
        if got.url != endpoint["url"].as_str().unwrap() {
            fail(format!("url {}, expected {}", got.url, endpoint["url"]));
        }
        if let Some(headers) = endpoint.get("headers")
            && headers.as_object().is_some_and(|h| !h.is_empty())
        {
            fail(format!(
                "expects headers {headers}, which Endpoint cannot carry"
            ));
        }
        let properties = endpoint
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for key in properties.keys().filter(|k| *k != "authSchemes") {
            fail(format!(
                "expects property `{key}`, which Endpoint cannot carry"
            ));
        }
        let sigv4 = properties
            .get("authSchemes")
            .and_then(Value::as_array)
            .and_then(|schemes| schemes.iter().find(|s| s["name"] == "sigv4"));
        let (name, region) = match sigv4 {
            Some(s) => (
                s["signingName"].as_str().unwrap().to_owned(),
                s["signingRegion"].as_str().unwrap().to_owned(),
            ),
            // No signing properties: STS, in the configured region.
            None => (
                "sts".to_owned(),
                params
                    .region
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SIGNING_REGION.to_owned()),
            ),
        };
        if got.signing_name != name || got.signing_region != region {
            fail(format!(
                "signs for {}/{}, expected {name}/{region}",
                got.signing_name, got.signing_region
            ));
        }
    }
    for s in &superseded {
        println!("superseded by the newer partitions.json: {s}");
    }
    assert!(
        failures.is_empty(),
        "{} of {EXPECTED_CASES} endpoint cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Only the dual-stack ISO cases may differ; anything more is a regression.
    assert!(
        superseded.len() <= 4,
        "unexpectedly many superseded cases: {superseded:#?}"
    );
}
