//! Proves, from `service-2.json` and through the public API only, that the
//! generated code covers the whole model: every input member survives the
//! form codec, every constraint is enforced, every output member survives
//! the XML codec, every error code maps to its kind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use awssts::model::*;
use common::sts::*;
use serde_json::Value;

struct Model {
    doc: Value,
}

impl Model {
    fn load() -> Self {
        Model {
            doc: load_json("service-2.json"),
        }
    }
    fn shape(&self, name: &str) -> &Value {
        &self.doc["shapes"][name]
    }
    fn kind(&self, name: &str) -> &str {
        self.shape(name)["type"].as_str().unwrap()
    }
    fn num(&self, name: &str, key: &str) -> Option<i64> {
        self.shape(name)[key].as_i64()
    }
    fn operations(&self) -> Vec<(String, Value)> {
        self.doc["operations"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// (member name, member shape, required)
    fn members(&self, structure: &str) -> Vec<(String, String, bool)> {
        let s = self.shape(structure);
        let required: Vec<&str> = s["required"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        s["members"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v["shape"].as_str().unwrap().to_owned(),
                    required.contains(&k.as_str()),
                )
            })
            .collect()
    }
    fn list_member(&self, list: &str) -> String {
        self.shape(list)["member"]["shape"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A character every pattern of this shape allows.
    fn good_char(&self, shape: &str) -> char {
        match self.shape(shape)["pattern"].as_str() {
            None => 'a',
            Some(p)
                if p.contains("\\w")
                    || p.contains("\\p{L}")
                    || p.contains("\\u0020-\\u007E")
                    || p.contains("\\u0020-\\u00FF") =>
            {
                'a'
            }
            Some("[\\d]*") => '7',
            Some(p) => panic!("the test does not know a valid character for pattern {p}"),
        }
    }

    /// A valid value for a scalar shape.
    fn valid_scalar(&self, shape: &str) -> String {
        match self.kind(shape) {
            "string" => {
                let min = self.num(shape, "min").unwrap_or(1).max(1);
                let max = self.num(shape, "max").unwrap_or(i64::MAX);
                let n = min.min(max).max(1) as usize;
                self.good_char(shape).to_string().repeat(n)
            }
            "integer" => self
                .num(shape, "min")
                .or(self.num(shape, "max"))
                .unwrap_or(1)
                .to_string(),
            other => panic!("no scalar value for {other}"),
        }
    }

    /// Form pairs setting `shape` (at `key`) validly; for structures only
    /// required members unless `all`.
    fn valid_pairs(&self, shape: &str, key: &str, all: bool) -> Vec<(String, String)> {
        match self.kind(shape) {
            "structure" => {
                let mut out = Vec::new();
                for (name, s, required) in self.members(shape) {
                    if required || all {
                        out.extend(self.valid_pairs(&s, &format!("{key}.{name}"), all));
                    }
                }
                if out.is_empty() && !all {
                    // A structure must send something to be present at all.
                    return self.valid_pairs(shape, key, true);
                }
                out
            }
            "list" => {
                let item = self.list_member(shape);
                self.valid_pairs(&item, &format!("{key}.member.1"), all)
            }
            _ => vec![(key.to_owned(), self.valid_scalar(shape))],
        }
    }

    /// Form pairs for the required members of an input structure.
    fn base_pairs(&self, structure: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, s, required) in self.members(structure) {
            if required {
                out.extend(self.valid_pairs(&s, &name, false));
            }
        }
        out
    }
}

/// Replaces or adds pairs.
fn with(base: &[(String, String)], extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = base
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(ek, _)| ek == k))
        .cloned()
        .collect();
    out.extend(extra.iter().cloned());
    out
}

fn without(base: &[(String, String)], prefix: &str) -> Vec<(String, String)> {
    base.iter()
        .filter(|(k, _)| k != prefix && !k.starts_with(&format!("{prefix}.")))
        .cloned()
        .collect()
}

/// One scalar leaf of an input: its form key, validation field name, shape
/// and whether it (and every structure above it) must be present.
struct Leaf {
    key: String,
    field: String,
    shape: String,
    /// Pairs the leaf's siblings need (required members of its structure).
    siblings: Vec<(String, String)>,
    required_here: bool,
}

fn leaves(m: &Model, structure: &str, key: &str, field: &str, out: &mut Vec<Leaf>) {
    for (name, shape, required) in m.members(structure) {
        let k = if key.is_empty() {
            name.clone()
        } else {
            format!("{key}.{name}")
        };
        let f = if field.is_empty() {
            name.clone()
        } else {
            format!("{field}.{name}")
        };
        match m.kind(&shape) {
            "structure" => leaves(m, &shape, &k, &f, out),
            "list" => {
                let item = m.list_member(&shape);
                let ik = format!("{k}.member.1");
                let iff = format!("{f}[0]");
                if m.kind(&item) == "structure" {
                    let mut inner = Vec::new();
                    leaves(m, &item, &ik, &iff, &mut inner);
                    for mut l in inner {
                        l.siblings = m.valid_pairs(&item, &ik, false);
                        out.push(l);
                    }
                } else {
                    out.push(Leaf {
                        key: ik,
                        field: iff,
                        shape: item,
                        siblings: Vec::new(),
                        required_here: false,
                    });
                }
            }
            _ => out.push(Leaf {
                key: k,
                field: f,
                shape,
                siblings: if key.is_empty() {
                    Vec::new()
                } else {
                    m.valid_pairs(structure, key, false)
                },
                required_here: required,
            }),
        }
    }
}

fn expect_violation<O: awssts::protocol::Operation>(
    pairs: &[(String, String)],
    field: &str,
    rule: Rule,
) {
    let err = validate::<O>(pairs).expect_err(&format!(
        "{}: {field} should break {rule:?}: {pairs:?}",
        O::NAME
    ));
    assert_eq!(
        (err.field.as_str(), err.rule),
        (field, rule),
        "{}: {err}",
        O::NAME
    );
    assert_eq!(err.operation, O::NAME);
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}: {field} ", O::NAME)),
        "{shown}"
    );
}

fn expect_valid<O: awssts::protocol::Operation>(pairs: &[(String, String)]) {
    if let Err(e) = validate::<O>(pairs) {
        panic!("{}: valid input rejected: {e}: {pairs:?}", O::NAME);
    }
}

fn check_input<O: awssts::protocol::Operation>(m: &Model, input: &str) -> usize {
    let base = m.base_pairs(input);
    expect_valid::<O>(&base);
    let mut checks = 0;

    // Every leaf survives decode_form -> encode_form.
    let mut all = Vec::new();
    leaves(m, input, "", "", &mut all);
    for leaf in &all {
        let value = m.valid_scalar(&leaf.shape);
        let pairs = with(
            &with(&base, &leaf.siblings),
            &[(leaf.key.clone(), value.clone())],
        );
        let back = form_round_trip::<O>(&pairs);
        assert!(
            back.contains(&(leaf.key.clone(), value.clone())),
            "{}: member {} did not survive the form codec: {back:?}",
            O::NAME,
            leaf.key
        );
        expect_valid::<O>(&pairs);
        checks += 1;

        // Each constraint, violated.
        let with_value = |v: String| with(&with(&base, &leaf.siblings), &[(leaf.key.clone(), v)]);
        if leaf.required_here && leaf.siblings.is_empty() {
            expect_violation::<O>(&without(&base, &leaf.key), &leaf.field, Rule::Required);
            checks += 1;
        } else if leaf.required_here {
            let pairs = without(&with(&base, &leaf.siblings), &leaf.key);
            expect_violation::<O>(&pairs, &leaf.field, Rule::Required);
            checks += 1;
        }
        match m.kind(&leaf.shape) {
            "string" => {
                let c = m.good_char(&leaf.shape).to_string();
                if let Some(min) = m.num(&leaf.shape, "min").filter(|&n| n > 0) {
                    expect_violation::<O>(
                        &with_value(c.repeat(min as usize - 1)),
                        &leaf.field,
                        Rule::MinLength(min as u64),
                    );
                    checks += 1;
                }
                if let Some(max) = m.num(&leaf.shape, "max") {
                    expect_violation::<O>(
                        &with_value(c.repeat(max as usize + 1)),
                        &leaf.field,
                        Rule::MaxLength(max as u64),
                    );
                    // Lengths count characters, not bytes.
                    if m.shape(&leaf.shape)["pattern"]
                        .as_str()
                        .is_none_or(|p| p.contains("\\p{L}") || p.contains("\\u00A0-\\uD7FF"))
                    {
                        expect_valid::<O>(&with_value("é".repeat(max as usize)));
                    }
                    checks += 1;
                }
                if let Some(p) = m.shape(&leaf.shape)["pattern"].as_str() {
                    let n = m.num(&leaf.shape, "min").unwrap_or(1).max(2) as usize;
                    let bad = format!("{}\u{1}", c.repeat(n - 1));
                    let p: &'static str = Box::leak(p.to_owned().into_boxed_str());
                    expect_violation::<O>(&with_value(bad), &leaf.field, Rule::Pattern(p));
                    checks += 1;
                }
            }
            "integer" => {
                if let Some(min) = m.num(&leaf.shape, "min") {
                    expect_violation::<O>(
                        &with_value((min - 1).to_string()),
                        &leaf.field,
                        Rule::Min(min),
                    );
                    checks += 1;
                }
                if let Some(max) = m.num(&leaf.shape, "max") {
                    expect_violation::<O>(
                        &with_value((max + 1).to_string()),
                        &leaf.field,
                        Rule::Max(max),
                    );
                    checks += 1;
                }
            }
            other => panic!("input leaf of type {other}"),
        }
    }

    // List sizes and required lists.
    for (name, shape, required) in m.members(input) {
        if m.kind(&shape) == "structure" && required {
            expect_violation::<O>(&without(&base, &name), &name, Rule::Required);
            checks += 1;
        }
        if m.kind(&shape) != "list" {
            continue;
        }
        let item = m.list_member(&shape);
        let items = |n: usize| -> Vec<(String, String)> {
            let mut pairs = without(&base, &name);
            for i in 1..=n {
                pairs.extend(m.valid_pairs(&item, &format!("{name}.member.{i}"), true));
            }
            pairs
        };
        if required {
            expect_violation::<O>(&items(0), &name, Rule::Required);
            checks += 1;
        }
        if let Some(max) = m.num(&shape, "max") {
            expect_valid::<O>(&items(max as usize));
            expect_violation::<O>(&items(max as usize + 1), &name, Rule::MaxItems(max as u64));
            // Items come back in index order, all of them.
            let back = form_round_trip::<O>(&items(max as usize + 1));
            let last = format!("{name}.member.{}", max + 1);
            assert!(
                back.iter()
                    .any(|(k, _)| k == &last || k.starts_with(&format!("{last}."))),
                "{last}"
            );
            checks += 1;
        }
        if let Some(min) = m.num(&shape, "min").filter(|&n| n > 1) {
            expect_violation::<O>(&items(min as usize - 1), &name, Rule::MinItems(min as u64));
            checks += 1;
        }
    }
    checks
}

/// XML for an output structure: its required members plus `extra`.
fn xml_members(m: &Model, structure: &str, all: bool) -> String {
    let mut out = String::new();
    for (name, shape, required) in m.members(structure) {
        if required || all {
            out.push_str(&format!("<{name}>{}</{name}>", xml_value(m, &shape, all)));
        }
    }
    out
}

fn xml_value(m: &Model, shape: &str, all: bool) -> String {
    match m.kind(shape) {
        "string" => xml_escape(&format!("v<{shape}>&")),
        "integer" => "42".to_owned(),
        "timestamp" => "2026-11-22T12:00:00.125Z".to_owned(),
        "structure" => xml_members(m, shape, all),
        other => panic!("output member of type {other}"),
    }
}

fn check_output<O: awssts::protocol::Operation>(m: &Model, op: &str, output: &str) -> usize {
    let mut checks = 0;
    for (name, shape, _) in m.members(output) {
        let body = response(
            op,
            &format!(
                "<Unknown>skipped</Unknown><{name}>{}</{name}>",
                xml_value(m, &shape, false)
            ),
        );
        let back = xml_round_trip::<O>(&body);
        match m.kind(&shape) {
            "structure" => {
                for (sub, sub_shape, required) in m.members(&shape) {
                    // Each member of the nested structure, alone (plus required ones).
                    let mut inner = xml_members(m, &shape, false);
                    if !required {
                        inner.push_str(&format!(
                            "<{sub}>{}</{sub}>",
                            xml_value(m, &sub_shape, false)
                        ));
                    }
                    let body = response(op, &format!("<{name}>{inner}</{name}>"));
                    let back = xml_round_trip::<O>(&body);
                    let expect = format!("<{sub}>{}</{sub}>", xml_value(m, &sub_shape, false));
                    assert!(back.contains(&expect), "{op}: {name}/{sub} lost: {back}");
                    if required {
                        // Missing required members are reported by name.
                        let partial: String = m
                            .members(&shape)
                            .iter()
                            .filter(|(n, _, r)| *r && *n != sub)
                            .map(|(n, s, _)| format!("<{n}>{}</{n}>", xml_value(m, s, false)))
                            .collect();
                        let err = decode_output_err::<O>(&response(
                            op,
                            &format!("<{name}>{partial}</{name}>"),
                        ));
                        assert!(
                            err.contains(&format!("required element {shape}/{sub} is missing")),
                            "{err}"
                        );
                    }
                    checks += 1;
                }
            }
            _ => {
                let expect = format!("<{name}>{}</{name}>", xml_value(m, &shape, false));
                assert!(back.contains(&expect), "{op}: {name} lost: {back}");
                checks += 1;
            }
        }
    }
    // Everything at once.
    xml_round_trip::<O>(&response(op, &xml_members(m, output, true)));
    checks
}

#[test]
fn every_operation_member_and_constraint_is_covered() {
    let m = Model::load();
    let ops = m.operations();
    assert_eq!(ops.len(), 11, "the model has 11 operations");
    let mut checks = 0;
    for (name, op) in &ops {
        let input = op["input"]["shape"].as_str().unwrap();
        let output = op["output"]["shape"].as_str().unwrap();
        checks += with_op!(name.as_str(), check_input(&m, input));
        checks += with_op!(name.as_str(), check_output(&m, name, output));
        let (op_name, is_signed) = with_op!(name.as_str(), signed());
        assert_eq!(op_name, name);
        assert_eq!(
            is_signed,
            op["authtype"].as_str() != Some("none"),
            "{name}: SIGNED"
        );
    }
    assert!(checks > 150, "only {checks} checks ran");
}

#[test]
fn every_error_maps_to_its_kind() {
    let m = Model::load();
    let shapes = m.doc["shapes"].as_object().unwrap();
    let mut kinds = Vec::new();
    for (name, s) in shapes.iter().filter(|(_, s)| s["exception"] == true) {
        let code = s["error"]["code"].as_str().unwrap();
        let status = s["error"]["httpStatusCode"].as_u64().unwrap();
        let kind = ServiceErrorKind::from_code(code);
        assert_ne!(kind, ServiceErrorKind::Unmodeled, "{name}");
        assert_eq!(kind.code(), Some(code), "{name}");
        assert_eq!(kind.http_status(), Some(status as u16), "{name}");
        assert_eq!(
            ServiceErrorKind::from_code(name),
            kind,
            "{name}: the shape name is accepted too"
        );
        kinds.push(kind);
    }
    kinds.sort_by_key(|k| format!("{k:?}"));
    kinds.dedup();
    assert_eq!(kinds.len(), ServiceErrorKind::ALL.len());
    assert_eq!(
        ServiceErrorKind::from_code("Throttling"),
        ServiceErrorKind::Unmodeled
    );
    assert_eq!(ServiceErrorKind::Unmodeled.code(), None);

    for (name, op) in m.operations() {
        let expected: Vec<ServiceErrorKind> = op["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        ServiceErrorKind::from_code(
                            m.shape(e["shape"].as_str().unwrap())["error"]["code"]
                                .as_str()
                                .unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            with_op!(name.as_str(), errors_of()),
            expected,
            "{name}: ERRORS"
        );
    }
}

#[test]
fn secrets_are_never_echoed_by_validation() {
    use awssts::protocol::Operation;
    let input = AssumeRoleWithSAMLInput::default()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .principal_arn("arn:aws:iam::123456789012:saml-provider/idp")
        .saml_assertion("xyz");
    let err = input.validate().unwrap_err();
    assert_eq!(err.rule, Rule::MinLength(4));
    assert_eq!(
        err.to_string(),
        "AssumeRoleWithSAML: SAMLAssertion must be at least 4 characters long, got 3"
    );
    assert!(!format!("{input:?}").contains("xyz"));
    let input = AssumeRoleInput::default()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("s")
        .duration_seconds(60);
    assert_eq!(
        input.validate().unwrap_err().to_string(),
        "AssumeRole: RoleSessionName must be at least 2 characters long, got 1"
    );
    let input = input.role_session_name("session");
    assert_eq!(
        input.validate().unwrap_err().to_string(),
        "AssumeRole: DurationSeconds must be at least 900, got 60"
    );
    let input = AssumeRoleInput::default().role_session_name("ok-name");
    assert_eq!(
        input.validate().unwrap_err().to_string(),
        "AssumeRole: RoleArn is required"
    );
    let input = AssumeRoleInput::default()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("ok-name")
        .tags(Tag::new("Project", "Unicorn"))
        .tags(Tag::new("Bad!", "x"));
    assert_eq!(
        input.validate().unwrap_err().to_string(),
        "AssumeRole: Tags[1].Key is invalid: character '!' at position 3 is not allowed \
         (allowed: Unicode letters, Unicode separators, Unicode numbers and _.:/=+-@)"
    );
}
