//! Our engine beside Python's `jmespath` (the AWS CLI's, from the test
//! venv) over a corpus of expressions and documents: the same value, with
//! objects' keys in the same order, or an error from both.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::Expression;
use super::json;
use crate::output::doc::Doc;

const STS: &str = r#"{
  "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret",
    "SessionToken": "token", "Expiration": "2026-11-22T12:00:00+00:00"},
  "AssumedRoleUser": {"AssumedRoleId": "AROA123:s", "Arn": "arn:aws:sts::123456789012:assumed-role/r/s"},
  "PackedPolicySize": 6,
  "SourceIdentity": "alice"
}"#;

const PEOPLE: &str = r#"{
  "people": [
    {"name": "bob", "age": 30, "tags": ["a", "b"], "boss": null, "active": true},
    {"name": "alice", "age": 25.5, "tags": ["c"], "active": false},
    {"name": "carol", "age": 30, "tags": [], "boss": "alice", "active": true},
    {"name": "dave", "age": 41, "tags": ["a"], "active": true, "zeta": 1, "alpha": 2}
  ],
  "groups": {"admins": {"size": 2}, "users": {"size": 5}, "guests": {"size": 0}},
  "matrix": [[1, 2], [3, [4, 5]], 6, [], [[7]]],
  "nums": [4, -2, 7.5, 0, 11, 3],
  "words": ["pear", "Apple", "fig", "éclair", "banana"],
  "mixed": [1, "a", null, true, {"k": "v"}, [1]],
  "flags": [true, false, 0, 1, "", [], {}, null],
  "empty": {},
  "nothing": null,
  "text": "héllo wörld",
  "n": 0,
  "f": 2.5,
  "neg": -3,
  "big": 12345678901234
}"#;

const NESTED: &str = r#"{
  "a": {"b": {"c": [{"d": 1, "e": [1, 2]}, {"d": 2, "e": [3]}, {"x": 0}]}},
  "reservations": [
    {"instances": [{"id": "i-1", "state": "running"}, {"id": "i-2", "state": "stopped"}]},
    {"instances": [{"id": "i-3", "state": "running"}]},
    {"other": 1}
  ],
  "weird keys": {"with space": 1, "with\"quote": 2, "ünï": 3, "1digit": 4},
  "list": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
}"#;

/// (expression, document)
const CASES: &[(&str, &str)] = &[
    // Fields, quoted identifiers, sub-expressions.
    ("Credentials", STS),
    ("Credentials.AccessKeyId", STS),
    ("AssumedRoleUser.Arn", STS),
    ("PackedPolicySize", STS),
    ("Nope", STS),
    ("Credentials.Nope.Deeper", STS),
    ("\"Credentials\".\"SessionToken\"", STS),
    ("\"weird keys\".\"with space\"", NESTED),
    ("\"weird keys\".\"with\\\"quote\"", NESTED),
    ("\"weird keys\".\"\\u00fcn\\u00ef\"", NESTED),
    ("\"weird keys\".\"1digit\"", NESTED),
    ("a.b.c", NESTED),
    ("a.b.c.d", NESTED),
    ("@", STS),
    ("@.Credentials.@", STS),
    ("text.length", PEOPLE),
    // Indexes and slices.
    ("list[0]", NESTED),
    ("list[-1]", NESTED),
    ("list[-10]", NESTED),
    ("list[10]", NESTED),
    ("list[-11]", NESTED),
    ("list[99999999999999999999]", NESTED),
    ("a[0]", NESTED),
    ("list[2:5]", NESTED),
    ("list[:3]", NESTED),
    ("list[7:]", NESTED),
    ("list[::2]", NESTED),
    ("list[::-1]", NESTED),
    ("list[-3:]", NESTED),
    ("list[8:2:-2]", NESTED),
    ("list[-20:20]", NESTED),
    ("list[20:-20:-1]", NESTED),
    ("list[5:2]", NESTED),
    ("list[:-1:3]", NESTED),
    ("list[::0]", NESTED),
    ("a[::0]", NESTED),
    ("list[:]", NESTED),
    ("list[1::]", NESTED),
    ("list[:3].@", NESTED),
    ("matrix[0][1]", PEOPLE),
    ("matrix[1][1][0]", PEOPLE),
    ("people[0][1:]", PEOPLE),
    ("matrix[1][0:]", PEOPLE),
    ("people[1:].name", PEOPLE),
    ("people[1:][0]", PEOPLE),
    ("people[::-1].name", PEOPLE),
    ("[0]", NESTED),
    ("[1:3]", NESTED),
    ("list[1:4] | [0]", NESTED),
    // Wildcards, projections, flatten.
    ("people[*].name", PEOPLE),
    ("people[*].boss", PEOPLE),
    ("people[*]", PEOPLE),
    ("people[*].tags[0]", PEOPLE),
    ("people[*].tags[]", PEOPLE),
    ("people[].tags[]", PEOPLE),
    ("people[*].[name, age]", PEOPLE),
    ("people[*].{n: name, t: tags}", PEOPLE),
    ("groups.*", PEOPLE),
    ("groups.*.size", PEOPLE),
    ("groups.*", STS),
    ("Credentials.*", STS),
    ("*", STS),
    ("*.Arn", STS),
    ("people.*", PEOPLE),
    ("groups[*]", PEOPLE),
    ("[*]", NESTED),
    ("list[*]", NESTED),
    ("reservations[*].instances[*].id", NESTED),
    ("reservations[].instances[].id", NESTED),
    ("reservations[].instances[].id | [0]", NESTED),
    ("reservations[*].instances[*].state[]", NESTED),
    ("matrix[]", PEOPLE),
    ("matrix[][]", PEOPLE),
    ("matrix[*][*]", PEOPLE),
    ("[]", NESTED),
    ("nothing[]", PEOPLE),
    ("groups[]", PEOPLE),
    ("a.b.c[*].e[]", NESTED),
    ("a.b.c[*].e | [0]", NESTED),
    ("a.b.*.d", NESTED),
    ("reservations[*].instances[0]", NESTED),
    ("people[*].age | max(@)", PEOPLE),
    // Filters and comparators.
    ("people[?age == `30`].name", PEOPLE),
    ("people[?age != `30`].name", PEOPLE),
    ("people[?age > `28`].name", PEOPLE),
    ("people[?age >= `30`].name", PEOPLE),
    ("people[?age < `30`].name", PEOPLE),
    ("people[?age <= `25.5`].name", PEOPLE),
    ("people[?active].name", PEOPLE),
    ("people[?!active].name", PEOPLE),
    ("people[?boss].name", PEOPLE),
    ("people[?boss == null].name", PEOPLE),
    ("people[?boss == 'alice'].name", PEOPLE),
    ("people[?name > 'bob'].name", PEOPLE),
    ("people[?name < `5`].name", PEOPLE),
    ("people[?tags == ['a', 'b']].name", PEOPLE),
    ("people[?tags == `[]`].name", PEOPLE),
    ("people[?contains(tags, 'a')].name", PEOPLE),
    ("people[?age > `28` && active].name", PEOPLE),
    ("people[?age > `40` || !active].name", PEOPLE),
    ("people[?active == `true`] | length(@)", PEOPLE),
    ("people[?active == `1`] | length(@)", PEOPLE),
    ("flags[?@]", PEOPLE),
    ("flags[?!@]", PEOPLE),
    ("flags[?@ == `0`]", PEOPLE),
    ("flags[?@ == `false`]", PEOPLE),
    ("nums[?@ > `3`]", PEOPLE),
    ("nums[?@ > `3`] | [0]", PEOPLE),
    ("mixed[?@ > `0`]", PEOPLE),
    ("words[?@ < 'fig']", PEOPLE),
    ("[?a]", NESTED),
    ("groups[?size]", PEOPLE),
    ("reservations[?instances].instances[].id", NESTED),
    ("reservations[?instances][]", NESTED),
    ("a.b.c[?d == `1`].e[]", NESTED),
    ("list[?@ >= `5`][:2]", NESTED),
    ("`[1, 2]` == `[1, 2]`", STS),
    ("`{\"a\": 1, \"b\": 2}` == `{\"b\": 2, \"a\": 1}`", STS),
    ("`[true]` == `[1]`", STS),
    ("`true` == `1`", STS),
    ("`0` == `false`", STS),
    ("`1.0` == `1`", STS),
    ("'a' < `1`", STS),
    ("`true` < `2`", STS),
    ("Credentials < PackedPolicySize", STS),
    // Or, and, not, parentheses, pipe.
    ("Nope || PackedPolicySize", STS),
    ("SourceIdentity || PackedPolicySize", STS),
    ("Nope && PackedPolicySize", STS),
    ("SourceIdentity && PackedPolicySize", STS),
    ("n || 'zero is true'", PEOPLE),
    ("empty || 'empty is false'", PEOPLE),
    ("!n", PEOPLE),
    ("!empty", PEOPLE),
    ("!nothing", PEOPLE),
    ("!f", PEOPLE),
    ("!!text", PEOPLE),
    ("!(n || `false`)", PEOPLE),
    ("(people[0] || people[1]).name", PEOPLE),
    ("people | [0] | name", PEOPLE),
    ("people[*].name | [1]", PEOPLE),
    ("a || b && c", NESTED),
    ("`1` == `1` || `2`", STS),
    ("!`1` == `false`", STS),
    // Multi-select lists and hashes.
    ("[Credentials.AccessKeyId, PackedPolicySize]", STS),
    (
        "{Key: Credentials.AccessKeyId, Role: AssumedRoleUser.Arn, Size: PackedPolicySize}",
        STS,
    ),
    ("{z: SourceIdentity, a: Nope, m: PackedPolicySize}", STS),
    ("{a: `1` b: `2`}", STS),
    ("{a: `1`, a: `2`, b: `3`}", STS),
    ("{\"quoted key\": SourceIdentity}", STS),
    ("Credentials.[Expiration, AccessKeyId]", STS),
    ("Credentials.{E: Expiration, K: AccessKeyId}", STS),
    ("nothing.[a]", PEOPLE),
    ("nothing.{a: a}", PEOPLE),
    ("[nothing, n]", PEOPLE),
    ("[[list[0], list[1]], {x: list[2]}]", NESTED),
    (
        "people[0].{name: name, first_tag: tags[0], boss: boss}",
        PEOPLE,
    ),
    ("people[3]", PEOPLE),
    ("people[3].*", PEOPLE),
    // Literals.
    ("`\"str\"`", STS),
    ("`{\"z\": 1, \"a\": [true, null, 2.5]}`", STS),
    ("`foo`", STS),
    ("`  spaced`", STS),
    ("`1e3`", STS),
    ("`-0.5`", STS),
    ("`12345678901234567`", STS),
    ("'raw \\' quote'", STS),
    ("'back\\\\slash'", STS),
    ("'\\n stays'", STS),
    ("`\"\\u00e9\"`", STS),
    ("`[1, 2, 3]`[1]", STS),
    // Functions.
    ("abs(neg)", PEOPLE),
    ("abs(f)", PEOPLE),
    ("abs(`-2.5`)", PEOPLE),
    ("abs(text)", PEOPLE),
    ("avg(nums)", PEOPLE),
    ("avg(`[1, 2]`)", PEOPLE),
    ("avg(`[]`)", PEOPLE),
    ("avg(words)", PEOPLE),
    ("ceil(f)", PEOPLE),
    ("ceil(neg)", PEOPLE),
    ("floor(`-2.5`)", PEOPLE),
    ("floor(`2`)", PEOPLE),
    ("ceil('x')", PEOPLE),
    ("contains(words, 'fig')", PEOPLE),
    ("contains(words, 'grape')", PEOPLE),
    ("contains(text, 'wör')", PEOPLE),
    ("contains(text, `1`)", PEOPLE),
    ("contains(`[true]`, `1`)", PEOPLE),
    ("contains(`[1, [2]]`, `[2]`)", PEOPLE),
    ("contains(n, `1`)", PEOPLE),
    ("ends_with(text, 'wörld')", PEOPLE),
    ("ends_with(text, 'x')", PEOPLE),
    ("starts_with(AssumedRoleUser.Arn, 'arn:aws:sts')", STS),
    ("starts_with(PackedPolicySize, 'x')", STS),
    ("join(', ', words)", PEOPLE),
    ("join('', `[]`)", PEOPLE),
    ("join(', ', nums)", PEOPLE),
    ("join(`1`, words)", PEOPLE),
    ("keys(Credentials)", STS),
    ("keys(people[3])", PEOPLE),
    ("keys(words)", PEOPLE),
    ("values(AssumedRoleUser)", STS),
    ("values(groups)", PEOPLE),
    ("length(@)", STS),
    ("length(people)", PEOPLE),
    ("length(text)", PEOPLE),
    ("length(n)", PEOPLE),
    ("length(nothing)", PEOPLE),
    ("map(&name, people)", PEOPLE),
    ("map(&boss, people)", PEOPLE),
    ("map(&[0], matrix)", PEOPLE),
    ("map(&length(@), words)", PEOPLE),
    ("map(name, people)", PEOPLE),
    ("map(&name, groups)", PEOPLE),
    ("max(nums)", PEOPLE),
    ("max(words)", PEOPLE),
    ("max(`[]`)", PEOPLE),
    ("max(mixed)", PEOPLE),
    ("max(`[1, 1.0]`)", PEOPLE),
    ("min(nums)", PEOPLE),
    ("min(words)", PEOPLE),
    ("min(`[2.0, 2]`)", PEOPLE),
    ("max_by(people, &age).name", PEOPLE),
    ("max_by(people, &age)", PEOPLE),
    ("min_by(people, &age).name", PEOPLE),
    ("min_by(people, &name).name", PEOPLE),
    ("max_by(people, &boss)", PEOPLE),
    ("min_by(`[]`, &a)", PEOPLE),
    ("max_by(people, age)", PEOPLE),
    ("merge(groups, `{\"admins\": 1, \"new\": 2}`)", PEOPLE),
    ("merge(`{}`)", PEOPLE),
    ("merge(Credentials, AssumedRoleUser)", STS),
    ("merge(Credentials, `1`)", STS),
    ("merge()", STS),
    (
        "not_null(Nope, nothing, SourceIdentity, PackedPolicySize)",
        STS,
    ),
    ("not_null(Nope)", STS),
    ("not_null()", STS),
    ("reverse(nums)", PEOPLE),
    ("reverse(text)", PEOPLE),
    ("reverse(groups)", PEOPLE),
    ("sort(nums)", PEOPLE),
    ("sort(words)", PEOPLE),
    ("sort(`[]`)", PEOPLE),
    ("sort(mixed)", PEOPLE),
    ("sort(flags)", PEOPLE),
    ("sort_by(people, &age)[*].name", PEOPLE),
    ("sort_by(people, &name)[*].name", PEOPLE),
    ("sort_by(people, &to_string(age))[*].name", PEOPLE),
    ("sort_by(people, &boss)", PEOPLE),
    ("sort_by(`[]`, &a)", PEOPLE),
    ("sort_by(reservations, &other)", NESTED),
    ("sort_by(mixed, &@)", PEOPLE),
    ("sum(nums)", PEOPLE),
    ("sum(`[1, 2, 3]`)", PEOPLE),
    ("sum(`[]`)", PEOPLE),
    ("sum(words)", PEOPLE),
    ("to_array(n)", PEOPLE),
    ("to_array(words)", PEOPLE),
    ("to_array(nothing)", PEOPLE),
    ("to_number('42')", PEOPLE),
    ("to_number(' 4.5 ')", PEOPLE),
    ("to_number('-7')", PEOPLE),
    ("to_number('1e3')", PEOPLE),
    ("to_number('abc')", PEOPLE),
    ("to_number(f)", PEOPLE),
    ("to_number(`true`)", PEOPLE),
    ("to_number(words)", PEOPLE),
    ("to_number('1_000')", PEOPLE),
    ("to_number('1__0')", PEOPLE),
    ("to_number('_1')", PEOPLE),
    ("to_number('1.5_5')", PEOPLE),
    ("to_number('Infinity') == to_number('inf')", PEOPLE),
    ("to_number('+3')", PEOPLE),
    ("to_number('.5')", PEOPLE),
    ("to_number('5.')", PEOPLE),
    ("to_string(`1e300`)", PEOPLE),
    ("to_string(`1.5e-7`)", PEOPLE),
    ("to_string(`[0.0001, 1e16, 1e15, 2.0]`)", PEOPLE),
    ("avg(`[1e20, 3e20]`)", PEOPLE),
    ("to_string(text)", PEOPLE),
    ("to_string(people[0])", PEOPLE),
    ("to_string(nums)", PEOPLE),
    ("to_string(`null`)", PEOPLE),
    ("to_string(`true`)", PEOPLE),
    ("to_string(`{\"b\": \"é\", \"a\": 1}`)", PEOPLE),
    ("type(text)", PEOPLE),
    ("type(n)", PEOPLE),
    ("type(f)", PEOPLE),
    ("type(nothing)", PEOPLE),
    ("type(people)", PEOPLE),
    ("type(groups)", PEOPLE),
    ("type(`false`)", PEOPLE),
    ("people[*].name | sort(@) | join('-', @)", PEOPLE),
    ("length(people[?age > `26`])", PEOPLE),
    ("length(@ people)", PEOPLE),
    ("length(people,)", PEOPLE),
    ("sort_by(people, &age)[-1].name", PEOPLE),
    ("{total: sum(groups.*.size), names: keys(groups)}", PEOPLE),
    ("[].[length(@)]", NESTED),
    // Runtime errors.
    ("length()", STS),
    ("length(`1`, `2`)", STS),
    ("unknown(@)", STS),
    ("people[*].unknown(@)", PEOPLE),
    ("nums[*].unknown(@)", PEOPLE),
    ("`[]`[*].unknown(@)", STS),
    ("abs(`[1]`)", STS),
    ("sum(`[1, \"2\"]`)", STS),
    ("sort_by(people, &tags)", PEOPLE),
    ("min_by(mixed, &@)", PEOPLE),
    ("&Credentials", STS),
    ("[&Credentials]", STS),
    // Syntax errors.
    ("", STS),
    ("Credentials.", STS),
    ("Credentials.[", STS),
    ("Arn[", STS),
    ("a ~ b", STS),
    ("a = b", STS),
    ("a[b]", STS),
    ("a[1, 2]", STS),
    ("a[1:2:3:4]", STS),
    ("a.1", STS),
    ("a.@", STS),
    ("a*", STS),
    ("a{b: c}", STS),
    ("{a: b", STS),
    ("{1: a}", STS),
    ("[a b]", STS),
    ("(a", STS),
    ("a)", STS),
    ("'unclosed", STS),
    ("`unclosed", STS),
    ("`{\"a\": }`", STS),
    ("\"bad\\escape\"", STS),
    ("\"f\"(@)", STS),
    ("@(a)", STS),
    ("a[*]*", STS),
    ("foo[?a ==]", STS),
    ("-", STS),
    ("a.-1", STS),
    ("!", STS),
    ("a[]b", STS),
    ("length(@", STS),
    ("f(,)", STS),
];

#[path = "../../../tests/support/venv.rs"]
mod venv;

fn python() -> PathBuf {
    let python = venv::venv().join("bin/python");
    assert!(
        python.is_file(),
        "no python in the venv at {}: run the tests with scripts/test.sh, which installs \
         requirements-test.txt into the venv (or set AWSSTS_VENV)",
        python.display()
    );
    python
}

/// Reads `[[expression, document], …]` and prints, per case, `{"value": …}`
/// or `{"error": type}`; a result JSON cannot hold (an expression
/// reference) is an error, as it is for the AWS CLI.
const DRIVER: &str = r#"
import json, sys, jmespath
out = []
for expression, document in json.load(sys.stdin):
    try:
        value = jmespath.search(expression, json.loads(document))
        out.append('{"value": %s}' % json.dumps(value))
    except Exception as e:
        out.append(json.dumps({"error": type(e).__name__}))
print('[' + ','.join(out) + ']')
"#;

fn python_results(cases: &[(&str, &str)]) -> Vec<Doc> {
    let mut input = String::from("[");
    for (i, (expression, document)) in cases.iter().enumerate() {
        if i > 0 {
            input.push(',');
        }
        let pair = Doc::List(vec![
            Doc::Str((*expression).into()),
            Doc::Str((*document).into()),
        ]);
        input.push_str(&pair.to_json_compact());
    }
    input.push(']');
    let mut child = Command::new(python())
        .args(["-c", DRIVER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    match json::parse(text.trim()) {
        Some(Doc::List(results)) => results,
        other => panic!("unexpected driver output {other:?}: {text}"),
    }
}

/// Ours, in the driver's shape.
fn our_result(expression: &str, document: &str) -> Doc {
    let doc = json::parse(document).unwrap_or_else(|| panic!("bad corpus JSON: {document}"));
    let result = Expression::compile(expression)
        .map_err(|e| format!("{e:?}"))
        .and_then(|e| e.search(&doc));
    match result {
        Ok(value) => Doc::Map(vec![("value".into(), value)]),
        Err(e) => Doc::Map(vec![("error".into(), Doc::Str(e))]),
    }
}

#[test]
fn results_match_pythons_jmespath() {
    assert!(CASES.len() >= 150);
    let theirs = python_results(CASES);
    assert_eq!(theirs.len(), CASES.len());
    let mut mismatches = Vec::new();
    for ((expression, document), theirs) in CASES.iter().zip(&theirs) {
        let ours = our_result(expression, document);
        let same = match (&ours, theirs) {
            (Doc::Map(o), Doc::Map(t)) => match (&o[0], &t[0]) {
                ((ok, _), (tk, _)) if ok == "error" && tk == "error" => true,
                (o, t) => o == t,
            },
            _ => false,
        };
        if !same {
            mismatches.push(format!(
                "{expression}\n    ours:   {}\n    python: {}",
                ours.to_json_compact(),
                theirs.to_json_compact()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        CASES.len(),
        mismatches.join("\n")
    );
}
