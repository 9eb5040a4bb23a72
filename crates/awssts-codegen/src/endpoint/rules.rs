//! `endpoint-rule-set-1.json` → one Rust function.
//!
//! Each rule becomes `if <conditions> { <outcome> }` in the rule set's
//! order, so the first rule that matches decides, as the rules language
//! says. Conditions become a let-chain: `isSet(X)` narrows `X` with
//! `let Some(x) = x`, a function whose result is assigned binds it, and
//! boolean functions are plain tests. Endpoints and errors `return`; a tree
//! that matched but whose rules did not returns the "exhausted" error.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::{rust_str, snake_case};

/// The rule set's parameters and the `Params` fields they map to. The
/// generator refuses a rule set whose parameters differ: `Params` is
/// hand-written and its meaning (e.g. that `Default` is the rule set's
/// default) must be checked by a person.
const PARAMS: [(&str, &str, ParamKind); 5] = [
    ("Region", "region", ParamKind::OptionalString),
    ("UseDualStack", "use_dual_stack", ParamKind::FalseByDefault),
    ("UseFIPS", "use_fips", ParamKind::FalseByDefault),
    (
        "UseGlobalEndpoint",
        "use_global_endpoint",
        ParamKind::FalseByDefault,
    ),
    ("Endpoint", "endpoint", ParamKind::OptionalString),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamKind {
    /// `Option<String>`: a string parameter that is not required and has no default.
    OptionalString,
    /// `bool`: a boolean parameter whose default is `false`, the same as
    /// `bool::default()`.
    FalseByDefault,
}

/// The type of a value in generated code.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ty {
    /// `&str`.
    Str,
    /// `String` (from `uriEncode`); referenced as `x.as_str()`.
    OwnedStr,
    Bool,
    /// `usize` (substring indices).
    Int,
    /// `&Partition`.
    Partition,
    /// `functions::Url`.
    Url,
    Opt(Box<Ty>),
}

#[derive(Clone)]
struct Var {
    name: String,
    ident: String,
    ty: Ty,
}

/// Variables in scope, innermost last (later entries shadow earlier ones).
#[derive(Clone, Default)]
struct Scope(Vec<Var>);

impl Scope {
    fn get(&self, name: &str) -> Result<&Var, String> {
        self.0
            .iter()
            .rev()
            .find(|v| v.name == name)
            .ok_or_else(|| format!("reference to unknown name `{name}`"))
    }

    fn bind(&mut self, name: &str, ty: Ty) -> String {
        let mut ident = snake_case(name);
        if matches!(
            ident.as_str(),
            "type" | "fn" | "match" | "ref" | "self" | "params" | "rest"
        ) {
            ident.push('_');
        }
        self.0.push(Var {
            name: name.to_owned(),
            ident: ident.clone(),
            ty,
        });
        ident
    }
}

/// One link of a condition's let-chain.
enum Guard {
    Test(String),
    Let {
        pattern: String,
        value: String,
        refutable: bool,
    },
}

impl Guard {
    fn irrefutable(&self) -> bool {
        matches!(
            self,
            Guard::Let {
                refutable: false,
                ..
            }
        )
    }

    fn chain_link(&self) -> String {
        match self {
            Guard::Test(code) => code.clone(),
            Guard::Let { pattern, value, .. } => format!("let {pattern} = {value}"),
        }
    }

    fn statement(&self) -> String {
        format!("{};\n", self.chain_link())
    }
}

#[derive(Default)]
struct Gen {
    out: String,
    imports: BTreeSet<&'static str>,
}

pub(super) fn generate(rule_set: &Value) -> Result<String, String> {
    let version = rule_set.get("version").and_then(Value::as_str);
    if version != Some("1.0") {
        return Err(format!("rule set version {version:?} is not 1.0"));
    }
    let mut scope = Scope::default();
    let mut prelude = String::new();
    check_params(rule_set, &mut scope, &mut prelude)?;
    let rules = rule_set
        .get("rules")
        .and_then(Value::as_array)
        .ok_or("no `rules` array")?;
    let mut g = Gen::default();
    g.rules(rules, &scope, true, "rules")?;
    // `aws.partition` is passed in, so tests can run the rules over other
    // partition data than the generated table.
    let partition_param = if g.imports.contains("PartitionFn") {
        "partition"
    } else {
        "_partition"
    };
    g.imports.insert("PartitionFn");
    let mut imports: Vec<&str> = vec!["Error", "Params", "RuleEndpoint"];
    imports.extend(g.imports.iter().filter(|i| !i.contains("::")));
    imports.sort_unstable();
    let mut modules: Vec<&str> = g
        .imports
        .iter()
        .filter_map(|i| i.strip_suffix("::"))
        .collect();
    modules.sort_unstable();
    let mut uses = String::new();
    for m in modules {
        writeln!(uses, "use super::{m};").map_err(|e| e.to_string())?;
    }
    writeln!(uses, "use super::{{{}}};", imports.join(", ")).map_err(|e| e.to_string())?;
    Ok(format!(
        "//! STS's endpoint rules as straight Rust: one `if` per rule, in the rule\n\
         //! set's order; the first rule whose conditions hold decides.\n\n\
         {uses}\n\
         /// Runs the rule set over `params`, with `partition` as `aws.partition`.\n\
         pub(super) fn resolve(params: &Params, {partition_param}: PartitionFn) \
         -> Result<RuleEndpoint, Error> {{\n\
         {prelude}{}}}\n",
        g.out
    ))
}

fn check_params(rule_set: &Value, scope: &mut Scope, prelude: &mut String) -> Result<(), String> {
    let params = rule_set
        .get("parameters")
        .and_then(Value::as_object)
        .ok_or("no `parameters` object")?;
    for name in params.keys() {
        if !PARAMS.iter().any(|(n, _, _)| n == name) {
            return Err(format!(
                "new parameter `{name}`: add a field to awssts::endpoint::Params and to PARAMS in the generator"
            ));
        }
    }
    for (name, field, kind) in PARAMS {
        let p = params.get(name).and_then(Value::as_object).ok_or_else(|| {
            format!("parameter `{name}` is gone: remove it from Params and the generator")
        })?;
        let ty = p
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let default = p.get("default");
        let (ok, ty, init) = match kind {
            ParamKind::OptionalString => (
                ty == "string" && !required && default.is_none(),
                Ty::Opt(Box::new(Ty::Str)),
                format!("params.{field}.as_deref()"),
            ),
            ParamKind::FalseByDefault => (
                ty == "boolean" && default == Some(&Value::Bool(false)),
                Ty::Bool,
                format!("params.{field}"),
            ),
        };
        if !ok {
            return Err(format!(
                "parameter `{name}` changed type, requiredness or default: \
                 Params.{field} no longer means what the rule set means"
            ));
        }
        let ident = scope.bind(name, ty);
        writeln!(prelude, "let {ident} = {init};").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a Value, String> {
    obj.get(key).ok_or_else(|| format!("{what}: no `{key}`"))
}

impl Gen {
    /// Emits a list of rules. `tail`: the list ends the function, so its
    /// last outcome is the function's value rather than a `return`.
    fn rules(
        &mut self,
        rules: &[Value],
        scope: &Scope,
        tail: bool,
        at: &str,
    ) -> Result<(), String> {
        let mut i = 0;
        let mut exhaustive = false;
        while i < rules.len() {
            let here = format!("{at}[{i}]");
            if exhaustive {
                return Err(format!(
                    "{here} can never be reached: an earlier rule always matches"
                ));
            }
            let merged = self.merged_string_matches(&rules[i..], scope)?;
            if merged > 1 {
                i += merged;
                continue;
            }
            let last = i + 1 == rules.len();
            exhaustive = self.rule(&rules[i], scope, tail && last, &here)?;
            i += 1;
        }
        if !exhaustive {
            if tail {
                self.out.push_str("Err(Error::exhausted())\n");
            } else {
                self.out.push_str("return Err(Error::exhausted());\n");
            }
        }
        Ok(())
    }

    /// Emits one rule; returns whether it always matches.
    fn rule(&mut self, rule: &Value, scope: &Scope, tail: bool, at: &str) -> Result<bool, String> {
        let obj = rule
            .as_object()
            .ok_or_else(|| format!("{at}: not an object"))?;
        let kind = field(obj, "type", at)?
            .as_str()
            .ok_or_else(|| format!("{at}: `type` is not a string"))?;
        let conditions = field(obj, "conditions", at)?
            .as_array()
            .ok_or_else(|| format!("{at}: `conditions` is not an array"))?;
        let mut scope = scope.clone();
        let mut guards = Vec::new();
        for (j, c) in conditions.iter().enumerate() {
            if let Some(g) = self
                .condition(c, &mut scope)
                .map_err(|e| format!("{at}.conditions[{j}]: {e}"))?
            {
                guards.push(g);
            }
        }
        // Irrefutable lets at either end of a chain draw a lint; they become
        // plain statements around the `if`.
        let lead = guards.iter().take_while(|g| g.irrefutable()).count();
        let trail = guards[lead..]
            .iter()
            .rev()
            .take_while(|g| g.irrefutable())
            .count();
        let chain: Vec<String> = guards[lead..guards.len() - trail]
            .iter()
            .map(Guard::chain_link)
            .collect();
        let always = chain.is_empty();
        if lead > 0 && !always {
            self.out.push_str("{\n");
        }
        for g in &guards[..lead] {
            self.out.push_str(&g.statement());
        }
        if !always {
            writeln!(self.out, "if {} {{", chain.join(" && ")).map_err(|e| e.to_string())?;
        }
        for g in &guards[guards.len() - trail..] {
            if !always {
                self.out.push_str(&g.statement());
            }
        }
        let tail = tail && always;
        match kind {
            "endpoint" => {
                let endpoint = field(obj, "endpoint", at)?;
                let code = self
                    .endpoint(endpoint, &scope)
                    .map_err(|e| format!("{at}.endpoint: {e}"))?;
                self.outcome(&format!("Ok({code})"), tail);
            }
            "error" => {
                let message = field(obj, "error", at)?;
                let code = self
                    .error(message, &scope)
                    .map_err(|e| format!("{at}.error: {e}"))?;
                self.outcome(&format!("Err({code})"), tail);
            }
            "tree" => {
                let rules = field(obj, "rules", at)?
                    .as_array()
                    .ok_or_else(|| format!("{at}: `rules` is not an array"))?;
                self.rules(rules, &scope, tail, &format!("{at}.rules"))?;
            }
            other => return Err(format!("{at}: unknown rule type `{other}`")),
        }
        if !always {
            self.out.push_str("}\n");
        }
        if lead > 0 && !always {
            self.out.push_str("}\n");
        }
        Ok(always)
    }

    fn outcome(&mut self, value: &str, tail: bool) {
        if tail {
            self.out.push_str(value);
            self.out.push('\n');
        } else {
            self.out.push_str(&format!("return {value};\n"));
        }
    }

    /// Runs of endpoint rules whose one condition is `stringEquals(X, "…")`
    /// on the same `X` and which give the same endpoint become one
    /// `matches!`, which reads better than a dozen identical `if`s. Returns
    /// how many rules it emitted (0 or 1 means it did nothing).
    fn merged_string_matches(&mut self, rules: &[Value], scope: &Scope) -> Result<usize, String> {
        let key = |rule: &Value| -> Option<(String, String, Value)> {
            let obj = rule.as_object()?;
            if obj.get("type")?.as_str()? != "endpoint" {
                return None;
            }
            let [condition] = obj.get("conditions")?.as_array()?.as_slice() else {
                return None;
            };
            if condition.get("fn")?.as_str()? != "stringEquals" || condition.get("assign").is_some()
            {
                return None;
            }
            let [a, b] = condition.get("argv")?.as_array()?.as_slice() else {
                return None;
            };
            let (reference, literal) = match (a.get("ref"), b.get("ref")) {
                (Some(r), None) => (r.as_str()?, b.as_str()?),
                (None, Some(r)) => (r.as_str()?, a.as_str()?),
                _ => return None,
            };
            if literal.contains(['{', '}']) {
                return None;
            }
            Some((
                reference.to_owned(),
                literal.to_owned(),
                obj.get("endpoint")?.clone(),
            ))
        };
        let Some((reference, _, endpoint)) = rules.first().and_then(key) else {
            return Ok(0);
        };
        let run: Vec<String> = rules
            .iter()
            .map_while(|r| {
                key(r)
                    .filter(|(r, _, e)| *r == reference && *e == endpoint)
                    .map(|(_, l, _)| l)
            })
            .collect();
        if run.len() < 2 {
            return Ok(run.len());
        }
        let var = scope.get(&reference)?;
        if var.ty != Ty::Str {
            return Err(format!(
                "stringEquals on `{reference}`, which is not a set string here"
            ));
        }
        // A repeated value would be an unreachable pattern.
        let mut seen = BTreeSet::new();
        let alternatives: Vec<String> = run
            .iter()
            .filter(|l| seen.insert(l.as_str()))
            .map(|l| rust_str(l))
            .collect();
        let code = self.endpoint(&endpoint, scope)?;
        writeln!(
            self.out,
            "if matches!({}, {}) {{\nreturn Ok({code});\n}}",
            var.ident,
            alternatives.join(" | ")
        )
        .map_err(|e| e.to_string())?;
        Ok(run.len())
    }

    /// A condition as a guard, narrowing or extending `scope`; `None` when it
    /// always holds.
    fn condition(&mut self, c: &Value, scope: &mut Scope) -> Result<Option<Guard>, String> {
        let obj = c.as_object().ok_or("a condition that is not an object")?;
        for key in obj.keys() {
            if !matches!(key.as_str(), "fn" | "argv" | "assign") {
                return Err(format!("unknown condition key `{key}`"));
            }
        }
        let assign = obj
            .get("assign")
            .map(|a| a.as_str().ok_or("`assign` is not a string"))
            .transpose()?;
        let name = obj
            .get("fn")
            .and_then(Value::as_str)
            .ok_or("a condition without `fn`")?;
        let argv = obj
            .get("argv")
            .and_then(Value::as_array)
            .ok_or("a condition without `argv`")?;

        // isSet(X) on an optional reference narrows X for the rest of the rule.
        if name == "isSet"
            && let [arg] = argv.as_slice()
            && let Some(reference) = arg.get("ref").and_then(Value::as_str)
        {
            let var = scope.get(reference)?.clone();
            return match var.ty {
                Ty::Opt(inner) => {
                    let ident = scope.bind(reference, *inner.clone());
                    if let Some(a) = assign {
                        return Err(format!("assigning isSet to `{a}` is not supported"));
                    }
                    Ok(Some(Guard::Let {
                        pattern: format!("Some({ident})"),
                        value: var.ident,
                        refutable: true,
                    }))
                }
                _ => Ok(None),
            };
        }
        let (code, ty) = self.call(name, argv, scope)?;
        match (ty, assign) {
            (Ty::Bool, None) => Ok(Some(Guard::Test(code))),
            (Ty::Opt(_), None) => Ok(Some(Guard::Test(format!("{code}.is_some()")))),
            (Ty::Opt(inner), Some(a)) if *inner != Ty::Bool => {
                let ident = scope.bind(a, *inner);
                Ok(Some(Guard::Let {
                    pattern: format!("Some({ident})"),
                    value: code,
                    refutable: true,
                }))
            }
            (ty @ (Ty::Str | Ty::OwnedStr | Ty::Partition | Ty::Url), Some(a)) => {
                let ident = scope.bind(a, ty);
                Ok(Some(Guard::Let {
                    pattern: ident,
                    value: code,
                    refutable: false,
                }))
            }
            (Ty::Str | Ty::OwnedStr | Ty::Partition | Ty::Url, None) => Ok(None),
            (ty, _) => Err(format!(
                "`{name}` giving {ty:?} as a condition is not supported"
            )),
        }
    }

    /// An expression: its code and type.
    fn expr(&mut self, v: &Value, scope: &Scope) -> Result<(String, Ty), String> {
        match v {
            Value::Bool(b) => Ok((b.to_string(), Ty::Bool)),
            Value::Number(n) => {
                let n = n
                    .as_u64()
                    .ok_or_else(|| format!("number {n} is not a non-negative integer"))?;
                Ok((n.to_string(), Ty::Int))
            }
            Value::String(s) => {
                if s.contains(['{', '}']) {
                    return Err(format!(
                        "template `{s}` as a function argument is not supported"
                    ));
                }
                Ok((rust_str(s), Ty::Str))
            }
            Value::Object(obj) => {
                if let Some(r) = obj.get("ref").and_then(Value::as_str) {
                    let var = scope.get(r)?;
                    return Ok(match &var.ty {
                        Ty::OwnedStr => (format!("{}.as_str()", var.ident), Ty::Str),
                        ty => (var.ident.clone(), ty.clone()),
                    });
                }
                let name = obj
                    .get("fn")
                    .and_then(Value::as_str)
                    .ok_or("an object that is neither ref nor fn")?;
                let argv = obj
                    .get("argv")
                    .and_then(Value::as_array)
                    .ok_or("a call without `argv`")?;
                self.call(name, argv, scope)
            }
            other => Err(format!("unsupported value {other}")),
        }
    }

    /// An argument that must have type `want` (an owned string is lent).
    fn arg(&mut self, v: &Value, want: &Ty, scope: &Scope, what: &str) -> Result<String, String> {
        let (code, ty) = self.expr(v, scope)?;
        match (&ty, want) {
            (t, w) if t == w => Ok(code),
            (Ty::OwnedStr, Ty::Str) => Ok(format!("{code}.as_str()")),
            _ => Err(format!("{what}: expected {want:?}, got {ty:?} (`{code}`)")),
        }
    }

    fn call(&mut self, name: &str, argv: &[Value], scope: &Scope) -> Result<(String, Ty), String> {
        let arity = |n: usize| -> Result<(), String> {
            if argv.len() == n {
                Ok(())
            } else {
                Err(format!("`{name}` takes {n} arguments, got {}", argv.len()))
            }
        };
        let a = |i: usize| {
            argv.get(i)
                .ok_or_else(|| format!("`{name}`: argument {i} missing"))
        };
        match name {
            "isSet" => {
                arity(1)?;
                let (code, ty) = self.expr(a(0)?, scope)?;
                Ok(match ty {
                    Ty::Opt(_) => (format!("{code}.is_some()"), Ty::Bool),
                    _ => ("true".to_owned(), Ty::Bool),
                })
            }
            "not" => {
                arity(1)?;
                if let Some(inner) = a(0)?.as_object()
                    && inner.get("fn").and_then(Value::as_str) == Some("isSet")
                    && let Some([target]) = inner
                        .get("argv")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                {
                    let (code, ty) = self.expr(target, scope)?;
                    if let Ty::Opt(_) = ty {
                        return Ok((format!("{code}.is_none()"), Ty::Bool));
                    }
                }
                let code = self.arg(a(0)?, &Ty::Bool, scope, "not")?;
                Ok((format!("!{}", parenthesized(&code)), Ty::Bool))
            }
            "booleanEquals" => {
                arity(2)?;
                let x = self.arg(a(0)?, &Ty::Bool, scope, "booleanEquals")?;
                let y = self.arg(a(1)?, &Ty::Bool, scope, "booleanEquals")?;
                Ok((
                    match (x.as_str(), y.as_str()) {
                        ("true", v) | (v, "true") => v.to_owned(),
                        ("false", v) | (v, "false") => format!("!{}", parenthesized(v)),
                        _ => format!("{x} == {y}"),
                    },
                    Ty::Bool,
                ))
            }
            "stringEquals" => {
                arity(2)?;
                let x = self.arg(a(0)?, &Ty::Str, scope, "stringEquals")?;
                let y = self.arg(a(1)?, &Ty::Str, scope, "stringEquals")?;
                Ok((format!("{x} == {y}"), Ty::Bool))
            }
            "getAttr" => {
                arity(2)?;
                let (target, ty) = self.expr(a(0)?, scope)?;
                let path = a(1)?.as_str().ok_or("getAttr: the path is not a string")?;
                attribute(&target, &ty, path)
            }
            "aws.partition" => {
                arity(1)?;
                let region = self.arg(a(0)?, &Ty::Str, scope, "aws.partition")?;
                self.imports.insert("PartitionFn");
                Ok((
                    format!("partition({region})"),
                    Ty::Opt(Box::new(Ty::Partition)),
                ))
            }
            "parseURL" => {
                arity(1)?;
                let url = self.arg(a(0)?, &Ty::Str, scope, "parseURL")?;
                self.imports.insert("functions::");
                Ok((
                    format!("functions::parse_url({url})"),
                    Ty::Opt(Box::new(Ty::Url)),
                ))
            }
            "isValidHostLabel" => {
                arity(2)?;
                let value = self.arg(a(0)?, &Ty::Str, scope, "isValidHostLabel")?;
                let sub = self.arg(a(1)?, &Ty::Bool, scope, "isValidHostLabel")?;
                self.imports.insert("functions::");
                Ok((
                    format!("functions::is_valid_host_label({value}, {sub})"),
                    Ty::Bool,
                ))
            }
            "substring" => {
                arity(4)?;
                let input = self.arg(a(0)?, &Ty::Str, scope, "substring")?;
                let start = self.arg(a(1)?, &Ty::Int, scope, "substring")?;
                let stop = self.arg(a(2)?, &Ty::Int, scope, "substring")?;
                let reverse = self.arg(a(3)?, &Ty::Bool, scope, "substring")?;
                self.imports.insert("functions::");
                Ok((
                    format!("functions::substring({input}, {start}, {stop}, {reverse})"),
                    Ty::Opt(Box::new(Ty::Str)),
                ))
            }
            "uriEncode" => {
                arity(1)?;
                let value = self.arg(a(0)?, &Ty::Str, scope, "uriEncode")?;
                self.imports.insert("functions::");
                Ok((format!("functions::uri_encode({value})"), Ty::OwnedStr))
            }
            other => Err(format!(
                "function `{other}` is not supported by the generator"
            )),
        }
    }

    /// An endpoint object as a `RuleEndpoint` expression.
    fn endpoint(&mut self, v: &Value, scope: &Scope) -> Result<String, String> {
        let obj = v.as_object().ok_or("not an object")?;
        for key in obj.keys() {
            if !matches!(key.as_str(), "url" | "properties" | "headers") {
                return Err(format!("unknown endpoint key `{key}`"));
            }
        }
        let url = match field(obj, "url", "endpoint")? {
            Value::String(t) => self.template(t, scope)?,
            other => {
                let code = self.arg(other, &Ty::Str, scope, "url")?;
                format!("{code}.to_owned()")
            }
        };
        if let Some(headers) = obj.get("headers")
            && headers.as_object().is_none_or(|h| !h.is_empty())
        {
            return Err(
                "endpoint headers are not supported: add them to awssts::endpoint::Endpoint first"
                    .into(),
            );
        }
        let mut sigv4 = "None".to_owned();
        let no_properties = Map::new();
        let properties = match obj.get("properties") {
            None => &no_properties,
            Some(p) => p.as_object().ok_or("`properties` is not an object")?,
        };
        for (key, value) in properties {
            if key != "authSchemes" {
                return Err(format!(
                    "endpoint property `{key}` is not supported: add it to awssts::endpoint::Endpoint first"
                ));
            }
            let schemes = value.as_array().ok_or("`authSchemes` is not an array")?;
            for scheme in schemes {
                let scheme = scheme
                    .as_object()
                    .ok_or("an auth scheme that is not an object")?;
                if scheme.get("name").and_then(Value::as_str) != Some("sigv4") {
                    return Err(format!(
                        "auth scheme {:?} is not supported (only sigv4)",
                        scheme.get("name")
                    ));
                }
                if sigv4 != "None" {
                    return Err("two sigv4 auth schemes".into());
                }
                for key in scheme.keys() {
                    if !matches!(key.as_str(), "name" | "signingName" | "signingRegion") {
                        return Err(format!("sigv4 property `{key}` is not supported"));
                    }
                }
                let template = |key: &str| {
                    scheme
                        .get(key)
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("sigv4 auth scheme without a string `{key}`"))
                };
                let name = self.template(template("signingName")?, scope)?;
                let region = self.template(template("signingRegion")?, scope)?;
                self.imports.insert("SigV4");
                sigv4 = format!("Some(SigV4 {{ signing_name: {name}, signing_region: {region} }})");
            }
        }
        Ok(format!("RuleEndpoint {{ url: {url}, sigv4: {sigv4} }}"))
    }

    fn error(&mut self, v: &Value, scope: &Scope) -> Result<String, String> {
        let message = v.as_str().ok_or("the error is not a string")?;
        if message.contains(['{', '}']) {
            Ok(format!("Error::rule({})", self.template(message, scope)?))
        } else {
            Ok(format!("Error::rule({})", rust_str(message)))
        }
    }

    /// A template string (`https://sts.{Region}.{PartitionResult#dnsSuffix}`)
    /// as an expression of type `String`.
    fn template(&mut self, t: &str, scope: &Scope) -> Result<String, String> {
        let mut format_string = String::new();
        let mut args = Vec::new();
        let mut chars = t.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    format_string.push_str("{{");
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    format_string.push_str("}}");
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(n) => name.push(n),
                            None => return Err(format!("template `{t}`: unclosed `{{`")),
                        }
                    }
                    let (code, ty) = match name.split_once('#') {
                        None => self.expr(&serde_json::json!({ "ref": name }), scope)?,
                        Some((var, path)) => {
                            let (target, ty) =
                                self.expr(&serde_json::json!({ "ref": var }), scope)?;
                            attribute(&target, &ty, path)?
                        }
                    };
                    if ty != Ty::Str {
                        return Err(format!(
                            "template `{t}`: `{name}` is {ty:?}, not a set string"
                        ));
                    }
                    if code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        write!(format_string, "{{{code}}}").map_err(|e| e.to_string())?;
                    } else {
                        format_string.push_str("{}");
                        args.push(code);
                    }
                }
                '}' => return Err(format!("template `{t}`: unmatched `}}`")),
                c => format_string.push(c),
            }
        }
        if !t.contains(['{', '}']) {
            return Ok(format!("{}.to_owned()", rust_str(t)));
        }
        // A lone placeholder is a copy, not a format.
        if let Some(ident) = format_string
            .strip_prefix('{')
            .and_then(|f| f.strip_suffix('}'))
            && args.is_empty()
            && !ident.is_empty()
            && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Ok(format!("{ident}.to_owned()"));
        }
        if format_string == "{}"
            && let [arg] = args.as_slice()
        {
            return Ok(format!("{arg}.to_owned()"));
        }
        let mut code = format!("format!({}", rust_str(&format_string));
        for arg in args {
            code.push_str(", ");
            code.push_str(&arg);
        }
        code.push(')');
        Ok(code)
    }
}

/// `getAttr(target, path)` for the record types the functions return.
fn attribute(target: &str, ty: &Ty, path: &str) -> Result<(String, Ty), String> {
    let (field, field_ty) = match (ty, path) {
        (Ty::Partition, "name") => ("name", Ty::Str),
        (Ty::Partition, "dnsSuffix") => ("dns_suffix", Ty::Str),
        (Ty::Partition, "dualStackDnsSuffix") => ("dual_stack_dns_suffix", Ty::Str),
        (Ty::Partition, "supportsFIPS") => ("supports_fips", Ty::Bool),
        (Ty::Partition, "supportsDualStack") => ("supports_dual_stack", Ty::Bool),
        (Ty::Partition, "implicitGlobalRegion") => ("implicit_global_region", Ty::Str),
        (Ty::Url, "scheme") => ("scheme", Ty::Str),
        (Ty::Url, "authority") => ("authority", Ty::Str),
        (Ty::Url, "path") => ("path", Ty::Str),
        (Ty::Url, "normalizedPath") => ("normalized_path.as_str()", Ty::Str),
        (Ty::Url, "isIp") => ("is_ip", Ty::Bool),
        _ => {
            return Err(format!(
                "getAttr `{path}` on {ty:?} (`{target}`) is not supported"
            ));
        }
    };
    Ok((format!("{target}.{field}"), field_ty))
}

/// `code` wrapped in parentheses unless it is a single term.
fn parenthesized(code: &str) -> String {
    if code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        code.to_owned()
    } else {
        format!("({code})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule_set(rules: Value) -> Value {
        json!({
            "version": "1.0",
            "parameters": {
                "Region": {"type": "string", "required": false},
                "UseDualStack": {"type": "boolean", "required": true, "default": false},
                "UseFIPS": {"type": "boolean", "required": true, "default": false},
                "UseGlobalEndpoint": {"type": "boolean", "required": true, "default": false},
                "Endpoint": {"type": "string", "required": false}
            },
            "rules": rules
        })
    }

    #[test]
    fn compiles_the_library_functions() {
        let code = generate(&rule_set(json!([
            {"type": "tree", "conditions": [
                {"fn": "isSet", "argv": [{"ref": "Endpoint"}]},
                {"fn": "parseURL", "argv": [{"ref": "Endpoint"}], "assign": "url"},
                {"fn": "isSet", "argv": [{"ref": "Region"}]},
                {"fn": "isValidHostLabel", "argv": [{"ref": "Region"}, false]},
                {"fn": "uriEncode", "argv": [{"ref": "Endpoint"}], "assign": "Encoded"}
            ], "rules": [
                {"type": "endpoint", "conditions": [
                    {"fn": "booleanEquals", "argv": [{"fn": "getAttr", "argv": [{"ref": "url"}, "isIp"]}, true]}
                ], "endpoint": {"url": "{url#scheme}://{url#authority}{url#normalizedPath}{Encoded}"}},
                {"type": "error", "conditions": [], "error": "not an IP: {url#authority}"}
            ]},
            {"type": "error", "conditions": [], "error": "no"}
        ])))
        .unwrap();
        for expected in [
            "let Some(endpoint) = endpoint",
            "let Some(url) = functions::parse_url(endpoint)",
            "_partition: PartitionFn",
            "functions::is_valid_host_label(region, false)",
            "let encoded = functions::uri_encode(endpoint)",
            "encoded.as_str()",
            "url.normalized_path.as_str()",
            "Err(Error::rule(format!(\"not an IP: {}\", url.authority)))",
        ] {
            assert!(code.contains(expected), "missing `{expected}` in\n{code}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        let cases = [
            json!([{"type": "error", "conditions": [{"fn": "aws.parseArn", "argv": ["x"]}], "error": "e"}]),
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "headers": {"a": ["b"]}}}]),
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "properties": {"authSchemes": [{"name": "sigv4a", "signingName": "s"}]}}}]),
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "properties": {"other": 1}}}]),
            json!([{"type": "error", "conditions": [], "error": "{Region}"}]),
            json!([{"type": "error", "conditions": [], "error": "a"}, {"type": "error", "conditions": [], "error": "b"}]),
            json!([{"type": "loop", "conditions": []}]),
        ];
        for rules in cases {
            assert!(generate(&rule_set(rules.clone())).is_err(), "{rules}");
        }
        let mut extra = rule_set(json!([]));
        extra["parameters"]["Accelerate"] =
            json!({"type": "boolean", "required": true, "default": false});
        assert!(generate(&extra).unwrap_err().contains("Accelerate"));
        let mut changed = rule_set(json!([]));
        changed["parameters"]["UseFIPS"]["default"] = json!(true);
        assert!(generate(&changed).unwrap_err().contains("UseFIPS"));
    }
}
