//! `aws.partition` against `partitions.json` itself (every listed region,
//! and unlisted names that only the compiled region patterns can place),
//! and the rules over partition data other than today's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use super::functions::Partition;
use super::partitions::partition;
use super::{Params, rules};

fn partitions_json() -> serde_json::Value {
    let dir = match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference"),
    };
    let path = dir.join("sts-model/partitions.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; check out `shared/` beside the repository or set AWSSTS_REFERENCE_DIR",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn name_of(region: &str) -> &'static str {
    partition(region)
        .expect("aws.partition always finds one")
        .name
}

#[test]
fn regions_land_in_their_partitions() {
    let cases = [
        // Listed by name.
        ("us-east-1", "aws"),
        ("aws-global", "aws"),
        ("cn-north-1", "aws-cn"),
        ("aws-cn-global", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
        // Not listed: only the region patterns place these.
        ("af-north-7", "aws"),
        ("mx-south-2", "aws"),
        ("cn-south-9", "aws-cn"),
        ("us-gov-central-3", "aws-us-gov"),
        ("us-iso-north-2", "aws-iso"),
        ("us-isob-south-5", "aws-iso-b"),
        ("eu-isoe-north-2", "aws-iso-e"),
        ("us-isof-west-9", "aws-iso-f"),
        ("eusc-de-west-2", "aws-eusc"),
        // Matching no pattern: the `aws` fallback.
        ("xx-foo-1", "aws"),
        ("eusc-fr-east-1", "aws"),
        ("us-gov-west", "aws"),
        ("cn-north-1a", "aws"),
        ("US-EAST-1", "aws"),
        ("", "aws"),
    ];
    for (region, expected) in cases {
        assert_eq!(name_of(region), expected, "{region}");
    }
}

#[test]
fn every_listed_region_has_the_file_s_outputs() {
    let doc = partitions_json();
    let partitions = doc["partitions"].as_array().unwrap();
    assert!(
        partitions.len() >= 8,
        "expected the eight partitions or more"
    );
    let mut checked = 0;
    for p in partitions {
        let id = p["id"].as_str().unwrap();
        let regions = p["regions"].as_object().unwrap();
        assert!(!regions.is_empty(), "{id} lists no regions");
        for (region, entry) in regions {
            let output = |key: &str| entry.get(key).unwrap_or(&p["outputs"][key]).clone();
            let got = partition(region).unwrap();
            assert_eq!(got.name, output("name"), "{region}");
            assert_eq!(got.dns_suffix, output("dnsSuffix"), "{region}");
            assert_eq!(
                got.dual_stack_dns_suffix,
                output("dualStackDnsSuffix"),
                "{region}"
            );
            assert_eq!(got.supports_fips, output("supportsFIPS"), "{region}");
            assert_eq!(
                got.supports_dual_stack,
                output("supportsDualStack"),
                "{region}"
            );
            assert_eq!(
                got.implicit_global_region,
                output("implicitGlobalRegion"),
                "{region}"
            );
            checked += 1;
        }
        // The partition's implicit global region is one of its own.
        let global = p["outputs"]["implicitGlobalRegion"].as_str().unwrap();
        assert_eq!(name_of(global), p["outputs"]["name"], "{id}");
    }
    assert!(checked > 50, "only {checked} regions checked");
}

/// The real partition with dual-stack support taken away, as the ISO
/// partitions were when the model's endpoint tests were written.
fn without_dual_stack(region: &str) -> Option<&'static Partition> {
    let real = partition(region)?;
    Some(Box::leak(Box::new(Partition {
        supports_dual_stack: false,
        ..real.clone()
    })))
}

fn without_fips(region: &str) -> Option<&'static Partition> {
    let real = partition(region)?;
    Some(Box::leak(Box::new(Partition {
        supports_fips: false,
        ..real.clone()
    })))
}

fn error_of(params: &Params, lookup: super::PartitionFn) -> String {
    match rules::resolve(params, lookup) {
        Ok(e) => panic!("{params:?}: resolved to {}", e.url),
        Err(e) => e.message().to_owned(),
    }
}

/// The model's cases that expect "this partition does not support" errors
/// no longer get them with today's partitions.json (the integration test
/// checks that); run over the partition data they assume, the rules must
/// give exactly the expected message.
#[test]
fn model_cases_for_partitions_without_dual_stack() {
    let dir = match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference"),
    };
    let text = std::fs::read_to_string(dir.join("sts-model/sts-2011-06-15.smithy.json")).unwrap();
    let model: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = model["shapes"]["com.amazonaws.sts#AWSSecurityTokenServiceV20110615"]["traits"]
        ["smithy.rules#endpointTests"]["testCases"]
        .as_array()
        .unwrap();
    let mut checked = 0;
    for case in cases {
        let Some(expected) = case["expect"]["error"].as_str() else {
            continue;
        };
        if !expected.contains("does not support") {
            continue;
        }
        let p = &case["params"];
        let params = Params {
            region: p["Region"].as_str().map(str::to_owned),
            use_dual_stack: p["UseDualStack"].as_bool().unwrap_or(false),
            use_fips: p["UseFIPS"].as_bool().unwrap_or(false),
            ..Params::default()
        };
        assert!(params.use_dual_stack, "{case}");
        assert_eq!(error_of(&params, without_dual_stack), expected, "{case}");
        checked += 1;
    }
    assert_eq!(checked, 4, "the model's partition-support error cases");
}

#[test]
fn fips_in_a_partition_without_it() {
    let params = Params {
        region: Some("us-west-2".to_owned()),
        use_fips: true,
        ..Params::default()
    };
    assert_eq!(
        error_of(&params, without_fips),
        "FIPS is enabled but this partition does not support FIPS"
    );
    let both = Params {
        use_dual_stack: true,
        ..params
    };
    assert_eq!(
        error_of(&both, without_fips),
        "FIPS and DualStack are enabled, but this partition does not support one or both"
    );
}
