//! `--output text`, laid out as the AWS CLI lays it out: each object's
//! scalar members on one tab-separated line (keys sorted), then each nested
//! object or list under its key's upper-cased name; lists of objects share
//! one column set.

use super::doc::Doc;

pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    item(doc, &mut out, None, None);
    out
}

fn item(doc: &Doc, out: &mut String, identifier: Option<&str>, scalar_keys: Option<&[String]>) {
    match doc {
        Doc::Map(members) => map(members, out, identifier, scalar_keys),
        Doc::List(items) => list(items, out, identifier),
        scalar => {
            out.push_str(&scalar.to_python_str());
            out.push('\n');
        }
    }
}

fn is_container(d: &Doc) -> bool {
    matches!(d, Doc::Map(_) | Doc::List(_))
}

fn list(items: &[Doc], out: &mut String, identifier: Option<&str>) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(|d| matches!(d, Doc::Map(_))) {
        let keys = all_scalar_keys(items);
        for element in items {
            item(element, out, identifier, Some(&keys));
        }
    } else if items.iter().any(|d| matches!(d, Doc::List(_))) {
        let (scalars, containers): (Vec<&Doc>, Vec<&Doc>) =
            items.iter().partition(|d| !is_container(d));
        if !scalars.is_empty() {
            scalar_list(&scalars, out, identifier);
        }
        for c in containers {
            item(c, out, identifier, None);
        }
    } else {
        let all: Vec<&Doc> = items.iter().collect();
        scalar_list(&all, out, identifier);
    }
}

fn scalar_list(items: &[&Doc], out: &mut String, identifier: Option<&str>) {
    match identifier {
        Some(id) => {
            for i in items {
                out.push_str(&id.to_uppercase());
                out.push('\t');
                out.push_str(&i.to_python_str());
                out.push('\n');
            }
        }
        None => {
            let cells: Vec<String> = items.iter().map(|d| d.to_python_str()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
}

fn all_scalar_keys(items: &[Doc]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for d in items {
        if let Doc::Map(members) = d {
            for (k, v) in members {
                if !is_container(v) && !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys.sort();
    keys
}

fn map(
    members: &[(String, Doc)],
    out: &mut String,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
) {
    let mut scalars: Vec<String> = Vec::new();
    let mut nested: Vec<(&str, &Doc)> = Vec::new();
    match scalar_keys {
        None => {
            let mut sorted: Vec<&(String, Doc)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in sorted {
                if is_container(v) {
                    nested.push((k, v));
                } else {
                    scalars.push(v.to_python_str());
                }
            }
        }
        Some(keys) => {
            for key in keys {
                let cell = members
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.to_python_str())
                    .unwrap_or_default();
                scalars.push(cell);
            }
            let mut rest: Vec<&(String, Doc)> =
                members.iter().filter(|(k, _)| !keys.contains(k)).collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            nested.extend(rest.into_iter().map(|(k, v)| (k.as_str(), v)));
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in nested {
        item(value, out, Some(key), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::doc::MapBuilder;

    #[test]
    fn nested_objects_get_their_key_as_a_prefix() {
        let doc = MapBuilder::new()
            .doc(
                "Credentials",
                Some(
                    MapBuilder::new()
                        .str("AccessKeyId", Some("ASIA"))
                        .str("SecretAccessKey", Some("s"))
                        .str("SessionToken", Some("t"))
                        .str("Expiration", Some("2026-11-22T12:00:00+00:00"))
                        .build(),
                ),
            )
            .doc(
                "AssumedRoleUser",
                Some(
                    MapBuilder::new()
                        .str("AssumedRoleId", Some("AROA:s"))
                        .str("Arn", Some("arn:x"))
                        .build(),
                ),
            )
            .int("PackedPolicySize", Some(6))
            .build();
        assert_eq!(
            render(&doc),
            "6\nASSUMEDROLEUSER\tarn:x\tAROA:s\nCREDENTIALS\tASIA\t2026-11-22T12:00:00+00:00\ts\tt\n"
        );
    }

    #[test]
    fn lists_of_scalars_and_objects() {
        assert_eq!(
            render(&Doc::List(vec![Doc::Str("a".into()), Doc::Int(2)])),
            "a\t2\n"
        );
        let doc = MapBuilder::new()
            .doc(
                "Tags",
                Some(Doc::List(vec![
                    MapBuilder::new().str("Key", Some("k")).build(),
                    MapBuilder::new()
                        .str("Key", Some("k2"))
                        .str("Value", Some("v2"))
                        .build(),
                ])),
            )
            .doc("Ids", Some(Doc::List(vec![Doc::Str("x".into())])))
            .build();
        assert_eq!(render(&doc), "IDS\tx\nTAGS\tk\t\nTAGS\tk2\tv2\n");
        assert_eq!(render(&Doc::Null), "None\n");
    }
}
