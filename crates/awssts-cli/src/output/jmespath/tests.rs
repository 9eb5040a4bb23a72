//! One check per construct and per function, with expected values written
//! out (the differential test compares with Python over a wider corpus).

use super::Expression;
use super::json;
use crate::output::doc::Doc;

const DOC: &str = r#"{
  "Credentials": {"AccessKeyId": "ASIA", "Expiration": "2026-11-22T12:00:00+00:00"},
  "users": [
    {"name": "b", "age": 30, "tags": ["x", "y"]},
    {"name": "a", "age": 20.5, "tags": []},
    {"name": "c", "age": 40, "tags": ["z"], "boss": "a"}
  ],
  "obj": {"k2": 2, "k1": 1},
  "nums": [3, 1, 2],
  "nested": [[1, [2]], 3, []],
  "s": "héllo",
  "zero": 0
}"#;

fn search(expression: &str) -> Result<Doc, String> {
    let doc = json::parse(DOC).unwrap();
    let e = Expression::compile(expression).map_err(|e| format!("{e:?}"))?;
    e.search(&doc)
}

fn check(cases: &[(&str, &str)]) {
    for (expression, expected) in cases {
        let expected = json::parse(expected).unwrap_or_else(|| panic!("bad JSON {expected}"));
        assert_eq!(search(expression), Ok(expected), "{expression}");
    }
}

fn fails(expressions: &[&str]) {
    for expression in expressions {
        assert!(search(expression).is_err(), "{expression} should fail");
    }
}

#[test]
fn fields_and_identifiers() {
    check(&[
        ("Credentials.AccessKeyId", r#""ASIA""#),
        (
            r#""Credentials"."Expiration""#,
            r#""2026-11-22T12:00:00+00:00""#,
        ),
        ("Credentials.Nope.Deeper", "null"),
        ("s.length", "null"),
        ("@.obj", r#"{"k2": 2, "k1": 1}"#),
    ]);
}

#[test]
fn indexes_and_slices() {
    check(&[
        ("nums[0]", "3"),
        ("nums[-1]", "2"),
        ("nums[3]", "null"),
        ("nums[-4]", "null"),
        ("obj[0]", "null"),
        ("nums[1:]", "[1, 2]"),
        ("nums[::-1]", "[2, 1, 3]"),
        ("nums[-2::-2]", "[1]"),
        ("nums[5:0:-1]", "[2, 1]"),
        ("nums[:-5]", "[]"),
        ("users[1:].name", r#"["a", "c"]"#),
        // Python's parser: a slice right after an index is no projection.
        ("nested[0][1:]", "[[2]]"),
        ("users[0][1:].name", "null"),
    ]);
    fails(&["nums[::0]"]);
    assert_eq!(search("obj[::0]"), Ok(Doc::Null));
}

#[test]
fn projections_and_flatten() {
    check(&[
        ("users[*].name", r#"["b", "a", "c"]"#),
        ("users[*].boss", r#"["a"]"#),
        ("users[].tags[]", r#"["x", "y", "z"]"#),
        ("users[*].tags[0]", r#"["x", "z"]"#),
        ("obj.*", "[2, 1]"),
        ("nested[]", "[1, [2], 3]"),
        ("nested[][]", "[1, 2, 3]"),
        ("users[*].name | [0]", r#""b""#),
        ("s[*]", "null"),
        ("s[]", "null"),
        ("nums.*", "null"),
    ]);
}

#[test]
fn filters_and_comparators() {
    check(&[
        ("users[?age > `25`].name", r#"["b", "c"]"#),
        ("users[?age >= `30`].name", r#"["b", "c"]"#),
        ("users[?age < `30`].name", r#"["a"]"#),
        ("users[?age <= `30`].name", r#"["b", "a"]"#),
        ("users[?age == `30`].name", r#"["b"]"#),
        ("users[?age != `30`].name", r#"["a", "c"]"#),
        ("users[?boss].name", r#"["c"]"#),
        ("users[?name > 'a'].name", r#"["b", "c"]"#),
        ("users[?tags == `[]`].name", r#"["a"]"#),
        ("`true` == `1`", "false"),
        ("`[true]` == `[1]`", "true"),
        ("`2` == `2.0`", "true"),
        ("obj == `{\"k1\": 1, \"k2\": 2}`", "true"),
        ("`null` < `1`", "null"),
    ]);
    fails(&["s < `1`", "users[?age > 'x']"]);
}

#[test]
fn logic() {
    check(&[
        ("nope || s", r#""héllo""#),
        ("zero || s", "0"),
        ("nope && s", "null"),
        ("zero && s", r#""héllo""#),
        ("!zero", "false"),
        ("!nope", "true"),
        ("!`[]`", "true"),
        ("!(zero && nope)", "true"),
        ("users | [1] | name", r#""a""#),
    ]);
}

#[test]
fn multi_selects_keep_the_expressions_order() {
    check(&[
        ("[s, zero]", r#"["héllo", 0]"#),
        (
            "{z: s, a: zero, n: nope}",
            r#"{"z": "héllo", "a": 0, "n": null}"#,
        ),
        ("{a: `1` b: `2`, a: `3`}", r#"{"a": 3, "b": 2}"#),
        ("nope.[a]", "null"),
        ("nope.{a: a}", "null"),
        (
            "Credentials.[Expiration, AccessKeyId]",
            r#"["2026-11-22T12:00:00+00:00", "ASIA"]"#,
        ),
        (
            "users[*].{n: name}",
            r#"[{"n": "b"}, {"n": "a"}, {"n": "c"}]"#,
        ),
    ]);
}

#[test]
fn literals() {
    check(&[
        (
            "`{\"z\": 1, \"a\": [1.5, null]}`",
            r#"{"z": 1, "a": [1.5, null]}"#,
        ),
        ("`foo`", r#""foo""#),
        (r"'it\'s'", r#""it's""#),
        (r"'a\b'", r#""a\\b""#),
    ]);
}

#[test]
fn numeric_functions() {
    check(&[
        ("abs(`-3`)", "3"),
        ("abs(`-2.5`)", "2.5"),
        ("avg(nums)", "2.0"),
        ("avg(`[]`)", "null"),
        ("ceil(`1.2`)", "2"),
        ("floor(`-1.2`)", "-2"),
        ("floor(`4`)", "4"),
        ("sum(nums)", "6"),
        ("sum(`[1, 0.5]`)", "1.5"),
        ("sum(`[]`)", "0"),
        ("max(nums)", "3"),
        ("min(nums)", "1"),
        ("max(`[\"b\", \"a\"]`)", r#""b""#),
        ("min(`[]`)", "null"),
        ("to_number('12')", "12"),
        ("to_number(' 1.5 ')", "1.5"),
        ("to_number('x')", "null"),
        ("to_number(`[]`)", "null"),
    ]);
    fails(&[
        "abs(s)",
        "avg(users)",
        "sum(`[true]`)",
        "max(`[1, \"a\"]`)",
        "ceil(`null`)",
    ]);
}

#[test]
fn string_functions() {
    check(&[
        ("contains(s, 'll')", "true"),
        ("contains(nums, `2`)", "true"),
        ("contains(`[true]`, `1`)", "true"),
        ("starts_with(s, 'hé')", "true"),
        ("ends_with(s, 'x')", "false"),
        ("join('-', users[*].name)", r#""b-a-c""#),
        ("length(s)", "5"),
        ("reverse(s)", r#""olléh""#),
        ("to_string(obj)", r#""{\"k2\":2,\"k1\":1}""#),
        ("to_string(`[\"é\"]`)", r#""[\"\\u00e9\"]""#),
        ("to_string(s)", r#""héllo""#),
    ]);
    fails(&[
        "contains(s, `1`)",
        "join('-', nums)",
        "starts_with(zero, 's')",
        "length(zero)",
    ]);
}

#[test]
fn collection_functions() {
    check(&[
        ("keys(obj)", r#"["k2", "k1"]"#),
        ("values(obj)", "[2, 1]"),
        ("length(users)", "3"),
        ("length(obj)", "2"),
        (
            "merge(obj, `{\"k1\": 9, \"k0\": 0}`)",
            r#"{"k2": 2, "k1": 9, "k0": 0}"#,
        ),
        ("not_null(nope, zero)", "0"),
        ("not_null(nope)", "null"),
        ("reverse(nums)", "[2, 1, 3]"),
        ("sort(nums)", "[1, 2, 3]"),
        ("sort(users[*].name)", r#"["a", "b", "c"]"#),
        ("to_array(s)", r#"["héllo"]"#),
        ("to_array(nums)", "[3, 1, 2]"),
        ("type(obj)", r#""object""#),
        ("type(zero)", r#""number""#),
        ("type(`true`)", r#""boolean""#),
        ("type(nope)", r#""null""#),
    ]);
    fails(&[
        "keys(nums)",
        "merge(obj, nums)",
        "sort(users)",
        "reverse(obj)",
    ]);
}

#[test]
fn expression_reference_functions() {
    check(&[
        ("map(&name, users)", r#"["b", "a", "c"]"#),
        ("map(&boss, users)", r#"[null, null, "a"]"#),
        ("sort_by(users, &age)[*].name", r#"["a", "b", "c"]"#),
        ("sort_by(users, &name)[*].name", r#"["a", "b", "c"]"#),
        ("max_by(users, &age).name", r#""c""#),
        ("min_by(users, &name).name", r#""a""#),
        ("sort_by(`[]`, &x)", "[]"),
        ("min_by(`[]`, &x)", "null"),
    ]);
    fails(&[
        "sort_by(users, &boss)",
        "sort_by(users, age)",
        "map(name, users)",
        "max_by(users, &tags)",
        "&name",
        "[&name]",
    ]);
}

#[test]
fn runtime_errors_name_the_problem() {
    assert_eq!(search("nope(@)"), Err("unknown function: nope()".into()));
    let arity = search("length(`1`, `2`)").unwrap_err();
    assert!(
        arity.contains("length()") && arity.contains("received 2"),
        "{arity}"
    );
    let kind = search("abs(s)").unwrap_err();
    assert!(kind.contains("abs()") && kind.contains("string"), "{kind}");
    // Never called: a projection over nothing calls no function.
    assert_eq!(search("`[]`[*].nope(@)"), Ok(Doc::List(vec![])));
}

#[test]
fn syntax_errors_say_where() {
    for (expression, column) in [
        ("", 0),
        ("a.", 2),
        ("a[", 2),
        ("a[b]", 2),
        ("a ~ b", 2),
        ("{a: b", 5),
        ("[a b]", 3),
        ("a)", 1),
        ("a*", 1),
        ("\"f\"(@)", 3),
        ("@(a)", 0),
        ("a[1:2:3:4]", 7),
    ] {
        let e = Expression::compile(expression).unwrap_err();
        assert_eq!(e.column, column, "{expression}: {e:?}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for deep in [
        "(".repeat(10_000) + "a" + &")".repeat(10_000),
        "!".repeat(10_000) + "a",
        "a".to_owned() + &".a".repeat(10_000),
        "a".to_owned() + &"[0]".repeat(10_000),
        "[".repeat(10_000),
        "a".to_owned() + &" || a".repeat(10_000),
    ] {
        let e = Expression::compile(&deep).unwrap_err();
        assert!(e.message.contains("nested"), "{e:?}");
    }
    // A literal too deep for JSON is read as a string, as any non-JSON is.
    let literal = "`".to_owned() + &"[".repeat(10_000) + "`";
    assert!(Expression::compile(&literal).is_ok());
    // At the limit, evaluation recurses without trouble (in a test
    // thread's small stack, unoptimised): calls nest the most frames.
    let calls = "not_null(".repeat(63) + "s" + &")".repeat(63);
    assert_eq!(search(&calls), Ok(Doc::Str("héllo".into())));
    assert!(Expression::compile(&("not_null(".repeat(64) + "s" + &")".repeat(64))).is_err());
    let chain = "s".to_owned() + &" | @".repeat(120);
    assert_eq!(search(&chain), Ok(Doc::Str("héllo".into())));
}
