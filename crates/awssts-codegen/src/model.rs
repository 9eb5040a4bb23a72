//! Generates the operation types, validation and awsQuery/XML codecs from
//! `sts-model/service-2.json`.
//!
//! Output: `crates/awssts/src/model/<operation>.rs` (input, output, their
//! `Operation` impl), `model/shapes.rs` (shared structures),
//! `model/patterns.rs` (the model's character classes as predicates),
//! `model/errors.rs` (`ServiceErrorKind`) and `client/fluent.rs` (the
//! per-operation builder methods). Anything in the model this generator
//! does not understand is an error, never silently skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::Generated;

const SOURCE: &str = "sts-model/service-2.json";

/// Shapes whose members hold secrets although the model does not mark them
/// `sensitive`: the session token, the provided-context assertion and the
/// MFA code (short-lived, but a credential while it lasts).
const EXTRA_SECRET_SHAPES: [&str; 3] = ["tokenType", "contextAssertionType", "tokenCodeType"];

/// One-line descriptions of each operation, in our own words.
fn describe_operation(name: &str) -> Option<&'static str> {
    Some(match name {
        "AssumeRole" => {
            "Gets temporary credentials for an IAM role, signed with the caller's credentials."
        }
        "AssumeRoleWithSAML" => {
            "Gets temporary credentials for a role by presenting a SAML 2.0 assertion from an identity provider (unsigned request)."
        }
        "AssumeRoleWithWebIdentity" => {
            "Gets temporary credentials for a role by presenting an OIDC or OAuth 2.0 token (unsigned request)."
        }
        "AssumeRoot" => {
            "Gets short-term credentials for privileged tasks on a member account's root user of an AWS Organization."
        }
        "DecodeAuthorizationMessage" => {
            "Decodes the encoded details attached to an authorization failure."
        }
        "GetAccessKeyInfo" => "Looks up the account that owns an access key id.",
        "GetCallerIdentity" => {
            "Returns the account, user id and ARN of the credentials that sign the call."
        }
        "GetDelegatedAccessToken" => {
            "Exchanges a trade-in token for temporary credentials of the principal that issued it."
        }
        "GetFederationToken" => {
            "Gets temporary credentials for a federated user, derived from an IAM user's credentials."
        }
        "GetSessionToken" => {
            "Gets temporary credentials for the calling IAM user or root user, optionally with MFA."
        }
        "GetWebIdentityToken" => {
            "Issues a signed JSON Web Token that asserts the caller's identity to outside services."
        }
        _ => return None,
    })
}

/// One-line descriptions of each member, by member name, in our own words.
fn describe_member(name: &str) -> Option<&'static str> {
    Some(match name {
        "AccessKeyId" => "The access key id (the public half of a key pair).",
        "Account" => "The 12-digit AWS account id.",
        "Arn" => "The ARN of the principal.",
        "AssumedPrincipal" => "The ARN of the principal whose credentials were issued.",
        "AssumedRoleId" => "The unique id of the role session: role id, colon, session name.",
        "AssumedRoleUser" => "The role session's id and ARN, for use in policies.",
        "Audience" => "The intended recipient(s) of the token or assertion.",
        "ContextAssertion" => "The signed context assertion from the context provider.",
        "Credentials" => "The temporary credentials: key id, secret key, session token and expiry.",
        "DecodedMessage" => "The decoded authorization failure details, as a JSON document.",
        "DurationSeconds" => "How long the credentials or token stay valid, in seconds.",
        "EncodedMessage" => "The encoded message returned with an authorization failure.",
        "Expiration" => "When the credentials or token expire.",
        "ExternalId" => "The identifier the role's trust policy requires from third parties.",
        "FederatedUser" => "The federated user's id and ARN.",
        "FederatedUserId" => "The federated user's unique id: account id, colon, user name.",
        "Issuer" => "The issuer of the SAML assertion (the identity provider).",
        "Key" => "The tag's key.",
        "MinimumSessionTokenSize" => {
            "The smallest session token size, in bytes, the caller is prepared to handle."
        }
        "Name" => "The name of the federated user, shown in its ARN.",
        "NameQualifier" => "A hash identifying the issuer, account and provider of the SAML user.",
        "PackedPolicySize" => {
            "How full the packed session policies and tags are, as a percentage of the limit."
        }
        "Policy" => {
            "An inline session policy (JSON) that further limits the session's permissions."
        }
        "PolicyArns" => "Managed policies whose permissions further limit the session.",
        "PrincipalArn" => "The ARN of the SAML identity provider in IAM.",
        "ProvidedContexts" => {
            "Context assertions from trusted context providers, passed into the session."
        }
        "Provider" => "The issuer of the web identity token.",
        "ProviderArn" => "The ARN of the context provider.",
        "ProviderId" => "The domain of an OAuth 2.0 identity provider (only for such providers).",
        "RoleArn" => "The ARN of the role to assume.",
        "RoleSessionName" => "A name for the role session, shown in logs and in the session's ARN.",
        "SAMLAssertion" => "The base64-encoded SAML response from the identity provider.",
        "SecretAccessKey" => "The secret access key (the private half of a key pair).",
        "SerialNumber" => "The serial number or ARN of the MFA device.",
        "SessionToken" => "The session token that must accompany the temporary key pair.",
        "SessionTokenSize" => "The size of the issued session token, in bytes.",
        "SessionTokenUtilization" => {
            "How full the session token is with policies and tags, as a percentage."
        }
        "SigningAlgorithm" => "The algorithm that signs the token (ES384 or RS256).",
        "SourceIdentity" => {
            "An identity, set by the caller, that stays with the session through role chains."
        }
        "Subject" => "The subject (NameID) of the SAML assertion.",
        "SubjectFromWebIdentityToken" => "The subject claim of the web identity token.",
        "SubjectType" => "The format of the SAML subject's name identifier.",
        "Tags" => "Session tags to attach to the session.",
        "TargetPrincipal" => "The member account (id or ARN) whose root user is assumed.",
        "TaskPolicyArn" => "The managed policy that scopes the privileged root task.",
        "TokenCode" => "The one-time code from the MFA device.",
        "TradeInToken" => "The trade-in token to exchange for credentials.",
        "TransitiveTagKeys" => {
            "Keys of session tags that carry over to roles assumed from this session."
        }
        "UserId" => "The unique id of the calling principal.",
        "Value" => "The tag's value.",
        "WebIdentityToken" => "The OIDC ID token or OAuth 2.0 access token (a JWT).",
        "arn" => "The ARN of a managed IAM policy.",
        _ => return None,
    })
}

/// One-line descriptions of the shared structures and errors.
fn describe_shape(name: &str) -> Option<&'static str> {
    Some(match name {
        "AssumedRoleUser" => "The identity of an assumed-role session.",
        "Credentials" => "Temporary AWS credentials issued by STS.",
        "FederatedUser" => "The identity of a federated user session.",
        "PolicyDescriptorType" => "A reference to a managed IAM policy, by ARN.",
        "ProvidedContext" => "A context assertion from a trusted context provider.",
        "Tag" => "A session tag: a key and a value.",
        "ExpiredTokenException" => {
            "The token presented (web identity, SAML or session token) has expired."
        }
        "ExpiredTradeInTokenException" => "The trade-in token has expired.",
        "IDPCommunicationErrorException" => {
            "STS could not reach the identity provider to validate the token."
        }
        "IDPRejectedClaimException" => "The identity provider rejected the token or assertion.",
        "InvalidAuthorizationMessageException" => "The encoded authorization message is not valid.",
        "InvalidIdentityTokenException" => "The web identity token or SAML assertion is not valid.",
        "JWTPayloadSizeExceededException" => {
            "The requested token would be larger than a JWT may be."
        }
        "MalformedPolicyDocumentException" => "The session policy is not a valid policy document.",
        "OutboundWebIdentityFederationDisabledException" => {
            "Issuing web identity tokens is turned off for the account."
        }
        "PackedPolicyTooLargeException" => {
            "The session policies and tags together exceed the packed size limit."
        }
        "RegionDisabledException" => {
            "STS is not activated in the requested region for this account."
        }
        "SessionDurationEscalationException" => {
            "The requested token lifetime exceeds what the caller's session allows."
        }
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Reading the model

struct Model<'a> {
    shapes: &'a serde_json::Map<String, Value>,
    operations: Vec<Op<'a>>,
    /// Structures used only by inputs / only by outputs (not operation
    /// inputs/outputs themselves).
    input_structs: BTreeSet<String>,
    output_structs: BTreeSet<String>,
}

struct Op<'a> {
    name: &'a str,
    input: &'a str,
    output: &'a str,
    result_wrapper: &'a str,
    errors: Vec<&'a str>,
    signed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

impl<'a> Model<'a> {
    fn new(doc: &'a Value) -> Result<Self, String> {
        let shapes = doc
            .get("shapes")
            .and_then(Value::as_object)
            .ok_or("model has no `shapes` object")?;
        let ops = doc
            .get("operations")
            .and_then(Value::as_object)
            .ok_or("model has no `operations` object")?;
        let mut operations = Vec::new();
        for (name, op) in ops {
            let input = op
                .pointer("/input/shape")
                .and_then(Value::as_str)
                .ok_or(format!("operation {name} has no input shape"))?;
            let output = op
                .pointer("/output/shape")
                .and_then(Value::as_str)
                .ok_or(format!("operation {name} has no output shape"))?;
            let result_wrapper = op
                .pointer("/output/resultWrapper")
                .and_then(Value::as_str)
                .ok_or(format!("operation {name} has no resultWrapper"))?;
            let errors = op
                .get("errors")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|e| {
                            e.get("shape")
                                .and_then(Value::as_str)
                                .ok_or(format!("operation {name}: error without shape"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let signed = match op.get("authtype").and_then(Value::as_str) {
                None | Some("v4") => true,
                Some("none") => false,
                Some(other) => return Err(format!("operation {name}: unknown authtype {other}")),
            };
            for key in op.as_object().into_iter().flat_map(|o| o.keys()) {
                if !matches!(
                    key.as_str(),
                    "name"
                        | "http"
                        | "input"
                        | "output"
                        | "errors"
                        | "documentation"
                        | "auth"
                        | "authtype"
                ) {
                    return Err(format!("operation {name}: unsupported key {key}"));
                }
            }
            operations.push(Op {
                name,
                input,
                output,
                result_wrapper,
                errors,
                signed,
            });
        }
        let mut model = Model {
            shapes,
            operations,
            input_structs: BTreeSet::new(),
            output_structs: BTreeSet::new(),
        };
        for i in 0..model.operations.len() {
            let (input, output) = (model.operations[i].input, model.operations[i].output);
            let mut ins = BTreeSet::new();
            let mut outs = BTreeSet::new();
            model.collect_structs(input, &mut ins, 0)?;
            model.collect_structs(output, &mut outs, 0)?;
            model.input_structs.extend(ins);
            model.output_structs.extend(outs);
        }
        if let Some(both) = model
            .input_structs
            .intersection(&model.output_structs)
            .next()
        {
            return Err(format!(
                "structure {both} is used by both inputs and outputs; the generator does not support that"
            ));
        }
        Ok(model)
    }

    fn shape(&self, name: &str) -> Result<&'a Value, String> {
        self.shapes
            .get(name)
            .ok_or(format!("shape {name} is referenced but not defined"))
    }

    fn kind(&self, name: &str) -> Result<&'a str, String> {
        self.shape(name)?
            .get("type")
            .and_then(Value::as_str)
            .ok_or(format!("shape {name} has no type"))
    }

    fn collect_structs(
        &self,
        name: &str,
        out: &mut BTreeSet<String>,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 8 {
            return Err(format!("shape {name} nests too deeply (recursive?)"));
        }
        for m in self.members(name)? {
            let mut target = self.member_target(&m)?;
            if self.kind(target)? == "list" {
                target = self.list_member(target)?;
            }
            if self.kind(target)? == "structure" {
                out.insert(target.to_owned());
                self.collect_structs(target, out, depth + 1)?;
            }
        }
        Ok(())
    }

    fn members(&self, structure: &str) -> Result<Vec<Member<'a>>, String> {
        let (structure, s) = self
            .shapes
            .get_key_value(structure)
            .ok_or(format!("shape {structure} is referenced but not defined"))?;
        let structure = structure.as_str();
        let required: BTreeSet<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let members = s
            .get("members")
            .and_then(Value::as_object)
            .ok_or(format!("structure {structure} has no members object"))?;
        for r in &required {
            if !members.contains_key(*r) {
                return Err(format!(
                    "structure {structure}: required member {r} does not exist"
                ));
            }
        }
        let mut out = Vec::new();
        for (name, m) in members {
            let shape = m
                .get("shape")
                .and_then(Value::as_str)
                .ok_or(format!("{structure}.{name} has no shape"))?;
            for key in m.as_object().into_iter().flat_map(|o| o.keys()) {
                if !matches!(
                    key.as_str(),
                    "shape"
                        | "documentation"
                        | "deprecated"
                        | "deprecatedMessage"
                        | "deprecatedSince"
                ) {
                    return Err(format!("{structure}.{name}: unsupported member key {key}"));
                }
            }
            out.push(Member {
                parent: structure,
                name,
                shape,
                required: required.contains(name.as_str()),
                deprecated: m
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            });
        }
        Ok(out)
    }

    fn member_target(&self, m: &Member<'a>) -> Result<&'a str, String> {
        Ok(m.shape)
    }

    fn num(&self, shape: &str, key: &str) -> Result<Option<i64>, String> {
        match self.shape(shape)?.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or(format!("shape {shape}: {key} is not an integer")),
        }
    }

    fn is_secret(&self, shape: &str) -> Result<bool, String> {
        Ok(
            self.shape(shape)?.get("sensitive").and_then(Value::as_bool) == Some(true)
                || EXTRA_SECRET_SHAPES.contains(&shape),
        )
    }

    /// The Rust type of a member (without the `Option`).
    fn rust_type(&self, shape: &str) -> Result<String, String> {
        Ok(match self.kind(shape)? {
            "string" => {
                if self.shape(shape)?.get("enum").is_some() {
                    return Err(format!("shape {shape}: enums are not supported"));
                }
                if self.is_secret(shape)? {
                    "SecretString".into()
                } else {
                    "String".into()
                }
            }
            "integer" => "i32".into(),
            "timestamp" => "DateTime".into(),
            "structure" => shape.to_owned(),
            "list" => format!("Vec<{}>", self.rust_type(self.list_member(shape)?)?),
            other => return Err(format!("shape {shape}: type {other} is not supported")),
        })
    }

    fn list_member(&self, shape: &str) -> Result<&'a str, String> {
        self.shape(shape)?
            .pointer("/member/shape")
            .and_then(Value::as_str)
            .ok_or(format!("list {shape} has no member shape"))
    }
}

struct Member<'a> {
    parent: &'a str,
    name: &'a str,
    shape: &'a str,
    required: bool,
    deprecated: bool,
}

// ---------------------------------------------------------------------------
// Names

fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `SAMLAssertion` → `saml_assertion`.
pub fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `IDPCommunicationError` → `IdpCommunicationError`.
pub fn camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn error_variant(shape: &str) -> String {
    camel(shape.strip_suffix("Exception").unwrap_or(shape))
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

// ---------------------------------------------------------------------------
// Patterns

/// A compiled character class: `[...]*` or `[...]+`.
struct Pattern {
    source: String,
    non_empty: bool,
    ranges: Vec<(u32, u32)>,
    categories: Vec<&'static str>,
    description: String,
}

fn compile_pattern(p: &str) -> Result<Pattern, String> {
    let fail = |why: &str| format!("pattern {p:?}: {why}; teach the generator this pattern");
    let (class, non_empty) = if let Some(c) = p.strip_suffix("]*") {
        (c, false)
    } else if let Some(c) = p.strip_suffix("]+") {
        (c, true)
    } else {
        return Err(fail("only `[class]*` and `[class]+` are understood"));
    };
    let class = class
        .strip_prefix('[')
        .ok_or_else(|| fail("must start with `[`"))?;
    if class.starts_with('^') {
        return Err(fail("negated classes are not supported"));
    }
    let cs: Vec<char> = class.chars().collect();
    let mut i = 0;
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut categories = Vec::new();
    let mut named: Vec<&'static str> = Vec::new();
    let mut punct = String::new();
    let mut described_ranges: Vec<String> = Vec::new();
    // Reads one single-character atom at `i`.
    let atom = |i: &mut usize| -> Result<Option<u32>, String> {
        let c = *cs.get(*i).ok_or_else(|| fail("unexpected end"))?;
        if c != '\\' {
            if c == '[' || c == ']' {
                return Err(fail("nested classes are not supported"));
            }
            *i += 1;
            return Ok(Some(c as u32));
        }
        let e = *cs.get(*i + 1).ok_or_else(|| fail("dangling backslash"))?;
        match e {
            'u' => {
                let mut j = *i + 2;
                let mut hex = String::new();
                while hex.len() < 6 && cs.get(j).is_some_and(|c| c.is_ascii_hexdigit()) {
                    hex.push(cs[j]);
                    j += 1;
                }
                if hex.len() < 4 {
                    return Err(fail("\\u needs 4 to 6 hex digits"));
                }
                let v = u32::from_str_radix(&hex, 16).map_err(|_| fail("bad \\u escape"))?;
                if v > 0x10FFFF {
                    return Err(fail("\\u escape beyond U+10FFFF"));
                }
                *i = j;
                Ok(Some(v))
            }
            ':' | '/' | '-' | '.' | '+' | '=' | '@' | ',' | '_' | '\\' | '[' | ']' | '^' => {
                *i += 2;
                Ok(Some(e as u32))
            }
            'w' | 'd' | 'p' => Ok(None),
            other => Err(fail(&format!("escape \\{other} is not supported"))),
        }
    };
    while i < cs.len() {
        if cs[i] == '\\' && matches!(cs.get(i + 1), Some('w' | 'd' | 'p')) {
            match cs[i + 1] {
                'w' => {
                    ranges.extend([(0x41, 0x5A), (0x61, 0x7A), (0x30, 0x39), (0x5F, 0x5F)]);
                    named.extend(["letters", "digits", "_"]);
                    i += 2;
                }
                'd' => {
                    ranges.push((0x30, 0x39));
                    named.push("digits");
                    i += 2;
                }
                _ => {
                    let rest: String = cs[i..].iter().take(5).collect();
                    let (cat, desc) = match rest.as_str() {
                        "\\p{L}" => ("is_letter", "Unicode letters"),
                        "\\p{Z}" => ("is_separator", "Unicode separators"),
                        "\\p{N}" => ("is_number", "Unicode numbers"),
                        _ => return Err(fail("only \\p{L}, \\p{Z} and \\p{N} are supported")),
                    };
                    categories.push(cat);
                    named.push(desc);
                    i += 5;
                }
            }
            continue;
        }
        let lo = atom(&mut i)?.ok_or_else(|| fail("class escape in a range"))?;
        if cs.get(i) == Some(&'-') && cs.get(i + 1).is_some() {
            i += 1;
            let hi = atom(&mut i)?.ok_or_else(|| fail("class escape in a range"))?;
            if hi < lo {
                return Err(fail("reversed range"));
            }
            ranges.push((lo, hi));
            described_ranges.push(format!("U+{lo:04X}-U+{hi:04X}"));
        } else {
            ranges.push((lo, lo));
            match char::from_u32(lo) {
                Some(c) if c.is_ascii_graphic() => punct.push(c),
                _ => described_ranges.push(match lo {
                    0x09 => "tab".to_owned(),
                    0x0A => "line feed".to_owned(),
                    0x0D => "carriage return".to_owned(),
                    _ => format!("U+{lo:04X}"),
                }),
            }
        }
    }
    let mut parts: Vec<String> = named.iter().map(|s| s.to_string()).collect();
    parts.extend(described_ranges);
    if !punct.is_empty() {
        parts.push(punct);
    }
    let description = match parts.len() {
        0 => return Err(fail("empty class")),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    for (lo, hi) in &ranges {
        if (0xD800..=0xDFFF).contains(lo) || (0xD800..=0xDFFF).contains(hi) {
            return Err(fail("surrogate code points cannot be matched"));
        }
    }
    Ok(Pattern {
        source: p.to_owned(),
        non_empty,
        ranges,
        categories,
        description,
    })
}

fn char_lit(v: u32) -> String {
    match char::from_u32(v) {
        Some(c) if c.is_ascii_graphic() && c != '\'' && c != '\\' => format!("'{c}'"),
        _ => format!("'\\u{{{v:x}}}'"),
    }
}

// ---------------------------------------------------------------------------
// Emitting

const HEADER: &str =
    "// @generated by awssts-codegen from sts-model/service-2.json; do not edit.\n";

struct Gen<'a> {
    m: &'a Model<'a>,
    patterns: BTreeMap<String, (String, Pattern)>, // shape -> (fn name, pattern)
    /// Pattern functions the validation code calls (outputs are not validated).
    used_patterns: std::cell::RefCell<BTreeSet<String>>,
}

impl<'a> Gen<'a> {
    fn member_doc(&self, m: &Member<'_>, side: Side) -> Result<String, String> {
        let desc = describe_member(m.name).ok_or(format!(
            "no description for member {} (of {}): add one to describe_member",
            m.name, m.parent
        ))?;
        let mut notes = Vec::new();
        let kind = self.m.kind(m.shape)?;
        match side {
            Side::Input if m.required => notes.push("Required.".to_owned()),
            Side::Output if m.required => notes.push("Always present.".to_owned()),
            _ => {}
        }
        let min = self.m.num(m.shape, "min")?;
        let max = self.m.num(m.shape, "max")?;
        match kind {
            "string" => match (min, max) {
                (Some(a), Some(b)) if a == b => notes.push(format!("Exactly {a} characters.")),
                (Some(a), Some(b)) => notes.push(format!("{a} to {b} characters.")),
                (Some(a), None) => notes.push(format!("At least {a} characters.")),
                (None, Some(b)) => notes.push(format!("At most {b} characters.")),
                _ => {}
            },
            "integer" => match (min, max) {
                (Some(a), Some(b)) => notes.push(format!("From {a} to {b}.")),
                (Some(a), None) => notes.push(format!("At least {a}.")),
                (None, Some(b)) => notes.push(format!("At most {b}.")),
                _ => {}
            },
            "list" => match (min, max) {
                (Some(a), Some(b)) => notes.push(format!("{a} to {b} items.")),
                (Some(a), None) => notes.push(format!("At least {a} items.")),
                (None, Some(b)) => notes.push(format!("At most {b} items.")),
                _ => {}
            },
            _ => {}
        }
        let pattern_shape = if kind == "list" {
            self.m.list_member(m.shape)?
        } else {
            m.shape
        };
        if let Some((_, p)) = self.patterns.get(pattern_shape) {
            let each = if kind == "list" { "Each item: " } else { "" };
            notes.push(format!(
                "{each}{}: {}.",
                if each.is_empty() {
                    "Characters allowed"
                } else {
                    "characters allowed"
                },
                p.description
            ));
        }
        if kind == "list" {
            let item = self.m.list_member(m.shape)?;
            if self.m.kind(item)? == "string" {
                match (self.m.num(item, "min")?, self.m.num(item, "max")?) {
                    (Some(a), Some(b)) => notes.push(format!("Each item: {a} to {b} characters.")),
                    (None, Some(b)) => notes.push(format!("Each item: at most {b} characters.")),
                    _ => {}
                }
            }
        }
        if self.m.is_secret(m.shape)? {
            notes.push("Secret: printed redacted.".to_owned());
        }
        if m.deprecated {
            notes.push("Deprecated by the service.".to_owned());
        }
        let mut out = format!("/// {desc}\n");
        if !notes.is_empty() {
            out.push_str("///\n/// ");
            out.push_str(&notes.join(" "));
            out.push('\n');
        }
        Ok(out)
    }

    /// Struct definition plus Debug; `op_output` adds the metadata field.
    fn struct_def(
        &self,
        rust_name: &str,
        shape: &str,
        side: Side,
        doc: &str,
        op_output: bool,
    ) -> Result<String, String> {
        let mut s = String::new();
        writeln!(s, "/// {doc}").ok();
        s.push_str("#[derive(Clone, Default, PartialEq)]\n#[non_exhaustive]\n");
        writeln!(s, "pub struct {rust_name} {{").ok();
        let members = self.m.members(shape)?;
        for m in &members {
            s.push_str(&self.member_doc(m, side)?);
            let ty = self.m.rust_type(m.shape)?;
            let ty = if ty.starts_with("Vec<") || (side == Side::Output && m.required) {
                ty
            } else {
                format!("Option<{ty}>")
            };
            if m.deprecated {
                s.push_str("#[deprecated(note = \"deprecated by the service\")]\n");
            }
            writeln!(s, "pub {}: {ty},", snake(m.name)).ok();
        }
        if op_output {
            s.push_str("/// What the call learned about itself (request ids, attempts); not part of the response body.\npub metadata: ResponseMetadata,\n");
        }
        s.push_str("}\n\n");
        writeln!(s, "impl fmt::Debug for {rust_name} {{").ok();
        s.push_str(
            "#[allow(deprecated)]\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n",
        );
        writeln!(s, "f.debug_struct({})", rust_str(rust_name)).ok();
        for m in &members {
            let f = snake(m.name);
            writeln!(s, ".field({}, &self.{f})", rust_str(&f)).ok();
        }
        if op_output {
            s.push_str(".field(\"metadata\", &self.metadata)\n");
        }
        s.push_str(".finish()\n}\n}\n\n");
        Ok(s)
    }

    fn setters(&self, rust_name: &str, shape: &str, constructor: bool) -> Result<String, String> {
        let members = self.m.members(shape)?;
        let mut s = String::new();
        writeln!(s, "impl {rust_name} {{").ok();
        if constructor {
            let args: Vec<String> = members
                .iter()
                .map(|m| {
                    Ok(format!(
                        "{}: impl Into<{}>",
                        snake(m.name),
                        self.m.rust_type(m.shape)?
                    ))
                })
                .collect::<Result<_, String>>()?;
            let names: Vec<String> = members.iter().map(|m| snake(m.name)).collect();
            writeln!(s, "/// A {} with every member set.", rust_name).ok();
            writeln!(s, "pub fn new({}) -> Self {{", args.join(", ")).ok();
            writeln!(s, "{rust_name} {{").ok();
            for n in &names {
                writeln!(s, "{n}: Some({n}.into()),").ok();
            }
            s.push_str("}\n}\n\n");
        }
        for m in &members {
            let f = snake(m.name);
            let ty = self.m.rust_type(m.shape)?;
            if let Some(item) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
                writeln!(s, "/// Appends one item to `{}`.", m.name).ok();
                writeln!(s, "pub fn {f}(mut self, item: impl Into<{item}>) -> Self {{ self.{f}.push(item.into()); self }}\n").ok();
                writeln!(s, "/// Replaces `{}` (an empty list is not sent).", m.name).ok();
                writeln!(
                    s,
                    "pub fn set_{f}(mut self, v: Vec<{item}>) -> Self {{ self.{f} = v; self }}\n"
                )
                .ok();
            } else {
                let arg = if ty == "i32" {
                    "i32".to_owned()
                } else {
                    format!("impl Into<{ty}>")
                };
                let conv = if ty == "i32" { "v" } else { "v.into()" };
                writeln!(s, "/// Sets `{}`.", m.name).ok();
                writeln!(
                    s,
                    "pub fn {f}(mut self, v: {arg}) -> Self {{ self.{f} = Some({conv}); self }}\n"
                )
                .ok();
                writeln!(s, "/// Sets or clears `{}`.", m.name).ok();
                writeln!(
                    s,
                    "pub fn set_{f}(mut self, v: Option<{ty}>) -> Self {{ self.{f} = v; self }}\n"
                )
                .ok();
            }
        }
        s.push_str("}\n\n");
        Ok(s)
    }

    // --- validation -------------------------------------------------------

    /// Code checking the members of `shape` held in `this` (an expression),
    /// with field names `prefix` + member (prefix is code for a `String` or
    /// empty for top level).
    fn validate_members(
        &self,
        shape: &str,
        this: &str,
        path: &FieldPath,
    ) -> Result<String, String> {
        let mut s = String::new();
        for m in self.m.members(shape)? {
            let f = snake(m.name);
            let field = path.child(m.name);
            let kind = self.m.kind(m.shape)?;
            if kind == "list" {
                if m.required {
                    writeln!(
                        s,
                        "validate::required_list(&{this}.{f}).map_err(|e| e.at(OP, {}))?;",
                        field.expr()
                    )
                    .ok();
                }
                let (min, max) = (self.m.num(m.shape, "min")?, self.m.num(m.shape, "max")?);
                if min.is_some() || max.is_some() {
                    writeln!(
                        s,
                        "validate::items({this}.{f}.len(), {}, {}).map_err(|e| e.at(OP, {}))?;",
                        opt_u(min),
                        opt_u(max),
                        field.expr()
                    )
                    .ok();
                }
                let item = self.m.list_member(m.shape)?;
                let item_path = field.index();
                let body = self.validate_value(item, "item", &item_path)?;
                if !body.is_empty() {
                    writeln!(
                        s,
                        "for (i, item) in {this}.{f}.iter().enumerate() {{\n{body}}}"
                    )
                    .ok();
                }
            } else {
                let body = self.validate_value(m.shape, "v", &field)?;
                if m.required {
                    writeln!(s, "let v = validate::required({this}.{f}.as_ref()).map_err(|e| e.at(OP, {}))?;", field.expr()).ok();
                    if body.is_empty() {
                        s.push_str("let _ = v;\n");
                    } else {
                        s.push_str(&body);
                    }
                } else if !body.is_empty() {
                    writeln!(s, "if let Some(v) = &{this}.{f} {{\n{body}}}").ok();
                }
            }
        }
        Ok(s)
    }

    /// Checks on one value `v` of `shape`.
    fn validate_value(&self, shape: &str, v: &str, field: &FieldPath) -> Result<String, String> {
        let mut s = String::new();
        let (min, max) = (self.m.num(shape, "min")?, self.m.num(shape, "max")?);
        match self.m.kind(shape)? {
            "string" => {
                let secret = self.m.is_secret(shape)?;
                let text = if secret {
                    format!("{v}.expose_secret()")
                } else {
                    format!("{v}.as_str()")
                };
                if min.is_some() || max.is_some() {
                    writeln!(
                        s,
                        "validate::length({text}, {}, {}).map_err(|e| e.at(OP, {}))?;",
                        opt_u(min),
                        opt_u(max),
                        field.expr()
                    )
                    .ok();
                }
                if let Some((fname, p)) = self.patterns.get(shape) {
                    self.used_patterns.borrow_mut().insert(fname.clone());
                    writeln!(
                        s,
                        "validate::pattern({text}, patterns::{fname}, {}, patterns::{}_DESCRIPTION, {}, {secret}).map_err(|e| e.at(OP, {}))?;",
                        rust_str(&p.source),
                        fname.to_ascii_uppercase(),
                        p.non_empty,
                        field.expr()
                    )
                    .ok();
                }
            }
            "integer" => {
                if min.is_some() || max.is_some() {
                    writeln!(
                        s,
                        "validate::range(*{v}, {}, {}).map_err(|e| e.at(OP, {}))?;",
                        opt_i(min),
                        opt_i(max),
                        field.expr()
                    )
                    .ok();
                }
            }
            "timestamp" => {}
            "structure" => {
                s.push_str(&self.validate_members(shape, v, field)?);
            }
            other => return Err(format!("shape {shape}: cannot validate a {other}")),
        }
        Ok(s)
    }

    // --- form encoding ----------------------------------------------------

    /// Code appending the members of `shape` held in `this`; `key` is the
    /// code writing the key prefix (ending in `.` when non-empty).
    fn encode_members(&self, shape: &str, this: &str, key: &KeyPath) -> Result<String, String> {
        let mut s = String::new();
        for m in self.m.members(shape)? {
            let f = snake(m.name);
            let k = key.child(m.name);
            if self.m.kind(m.shape)? == "list" {
                let item = self.m.list_member(m.shape)?;
                let ik = k.index();
                let body = self.encode_value(item, "item", &ik)?;
                writeln!(
                    s,
                    "for (i, item) in {this}.{f}.iter().enumerate() {{\n{body}}}"
                )
                .ok();
            } else {
                let body = self.encode_value(m.shape, "v", &k)?;
                writeln!(s, "if let Some(v) = &{this}.{f} {{\n{body}}}").ok();
            }
        }
        Ok(s)
    }

    fn encode_value(&self, shape: &str, v: &str, key: &KeyPath) -> Result<String, String> {
        Ok(match self.m.kind(shape)? {
            "string" => {
                let text = if self.m.is_secret(shape)? {
                    format!("{v}.expose_secret()")
                } else {
                    v.to_owned()
                };
                format!(
                    "form::begin_pair(body);\n{}form::value(body, {text});\n",
                    key.write()
                )
            }
            "integer" => format!(
                "form::begin_pair(body);\n{}form::int_value(body, *{v});\n",
                key.write()
            ),
            "structure" => self.encode_members(shape, v, &key.dot())?,
            other => return Err(format!("shape {shape}: cannot form-encode a {other}")),
        })
    }

    // --- form decoding ----------------------------------------------------

    /// Match arms decoding the top-level members of an input.
    fn decode_form_fn(&self, shape: &str, rust_name: &str) -> Result<String, String> {
        let mut s = String::new();
        let members = self.m.members(shape)?;
        let mut lists = Vec::new();
        let mut arms = String::new();
        let mut prefix_arms = String::new();
        for m in &members {
            let f = snake(m.name);
            match self.m.kind(m.shape)? {
                "list" => {
                    let item = self.m.list_member(m.shape)?;
                    let ity = self.m.rust_type(item)?;
                    lists.push((f.clone(), ity.clone()));
                    let prefix = format!("{}.member.", m.name);
                    let item_code = match self.m.kind(item)? {
                        "structure" => {
                            // The item exists only once one of its members is
                            // seen, so unknown keys never add empty items.
                            let inner = self.decode_struct_arms(
                                item,
                                &format!("{f}.entry(n).or_default()"),
                                "rest",
                            )?;
                            format!(
                                "if let Some(rest) = rest.strip_prefix('.') {{\nmatch rest {{\n{inner}_ => {{}}\n}}\n}}\n"
                            )
                        }
                        _ => {
                            let conv = self.scalar_from_form(item, "k", "v")?;
                            format!("if rest.is_empty() {{ {f}.insert(n, {conv}); }}\n")
                        }
                    };
                    writeln!(
                        prefix_arms,
                        "if let Some(after) = k.strip_prefix({}) {{\nlet (n, rest) = form::split_index(k, after)?;\n{item_code}continue;\n}}",
                        rust_str(&prefix)
                    )
                    .ok();
                }
                "structure" => {
                    let prefix = format!("{}.", m.name);
                    let inner = self.decode_struct_arms(
                        m.shape,
                        &format!("input.{f}.get_or_insert_with(Default::default)"),
                        "rest",
                    )?;
                    writeln!(
                        prefix_arms,
                        "if let Some(rest) = k.strip_prefix({}) {{\nmatch rest {{\n{inner}_ => {{}}\n}}\ncontinue;\n}}",
                        rust_str(&prefix)
                    )
                    .ok();
                }
                _ => {
                    let conv = self.scalar_from_form(m.shape, "k", "v")?;
                    writeln!(
                        arms,
                        "{} => {{ input.{f} = Some({conv}); continue; }}",
                        rust_str(m.name)
                    )
                    .ok();
                }
            }
        }
        s.push_str("fn decode_form(form: &Form) -> Result<Self, FormError> {\n");
        let mutability = if members.is_empty() { "" } else { "mut " };
        writeln!(s, "let {mutability}input = {rust_name}::default();").ok();
        for (f, ty) in &lists {
            writeln!(s, "let mut {f}: form::Slots<{ty}> = form::Slots::new();").ok();
        }
        if !members.is_empty() {
            s.push_str("for (k, v) in form.pairs() {\n");
            if !arms.is_empty() {
                writeln!(s, "match k {{\n{arms}_ => {{}}\n}}").ok();
            }
            s.push_str(&prefix_arms);
            s.push_str("let _ = v;\n}\n");
        } else {
            s.push_str("let _ = form;\n");
        }
        for (f, _) in &lists {
            writeln!(s, "input.{f} = form::into_list({f});").ok();
        }
        s.push_str("Ok(input)\n}\n");
        Ok(s)
    }

    /// Match arms (on `rest`) setting scalar members of structure `shape` on `target`.
    fn decode_struct_arms(&self, shape: &str, target: &str, _rest: &str) -> Result<String, String> {
        let mut s = String::new();
        for m in self.m.members(shape)? {
            let f = snake(m.name);
            match self.m.kind(m.shape)? {
                "string" | "integer" => {
                    let conv = self.scalar_from_form(m.shape, "k", "v")?;
                    writeln!(s, "{} => {target}.{f} = Some({conv}),", rust_str(m.name)).ok();
                }
                other => {
                    return Err(format!(
                        "{shape}.{}: nested {other} in a form structure is not supported",
                        m.name
                    ));
                }
            }
        }
        Ok(s)
    }

    fn scalar_from_form(&self, shape: &str, k: &str, v: &str) -> Result<String, String> {
        Ok(match self.m.kind(shape)? {
            "string" if self.m.is_secret(shape)? => format!("SecretString::from({v})"),
            "string" => format!("{v}.to_owned()"),
            "integer" => format!("form::parse_int({k}, {v})?"),
            other => return Err(format!("shape {shape}: cannot form-decode a {other}")),
        })
    }

    // --- XML ----------------------------------------------------------------

    fn read_xml_fn(
        &self,
        shape: &str,
        rust_name: &str,
        op_output: bool,
        vis: &str,
    ) -> Result<String, String> {
        let members = self.m.members(shape)?;
        let mut s = String::new();
        writeln!(s, "#[allow(deprecated)]\n{vis}fn read_xml(r: &mut Reader<'_>) -> Result<Self, DecodeErrorKind> {{").ok();
        for m in &members {
            writeln!(s, "let mut {} = None;", snake(m.name)).ok();
        }
        s.push_str("while let Some(name) = r.next_child()? {\nmatch name {\n");
        for m in &members {
            let f = snake(m.name);
            let elem = rust_str(m.name);
            let read = match self.m.kind(m.shape)? {
                "string" if self.m.is_secret(m.shape)? => {
                    "SecretString::from(decode::string(r)?)".to_owned()
                }
                "string" => "decode::string(r)?".to_owned(),
                "integer" => format!("decode::integer(r, {elem})?"),
                "timestamp" => format!("decode::timestamp(r, {elem})?"),
                "structure" => format!("{}::read_xml(r)?", self.m.rust_type(m.shape)?),
                other => return Err(format!("{shape}.{}: cannot XML-decode a {other}", m.name)),
            };
            writeln!(s, "{elem} => {f} = Some({read}),").ok();
        }
        s.push_str("_ => r.skip_element()?,\n}\n}\n");
        writeln!(s, "Ok({rust_name} {{").ok();
        for m in &members {
            let f = snake(m.name);
            if m.required {
                writeln!(
                    s,
                    "{f}: decode::required({f}, {})?,",
                    rust_str(&format!("{shape}/{}", m.name))
                )
                .ok();
            } else {
                writeln!(s, "{f},").ok();
            }
        }
        if op_output {
            s.push_str("metadata: ResponseMetadata::default(),\n");
        }
        s.push_str("})\n}\n\n");
        Ok(s)
    }

    fn write_xml_fn(&self, shape: &str, vis: &str) -> Result<String, String> {
        let members = self.m.members(shape)?;
        let mut s = String::new();
        writeln!(
            s,
            "#[allow(deprecated)]\n{vis}fn write_xml(&self, out: &mut Vec<u8>) {{"
        )
        .ok();
        for m in &members {
            let f = snake(m.name);
            let elem = rust_str(m.name);
            let write = match self.m.kind(m.shape)? {
                "string" if self.m.is_secret(m.shape)? => {
                    format!("xml::text_element(out, {elem}, v.expose_secret());")
                }
                "string" => format!("xml::text_element(out, {elem}, v);"),
                "integer" | "timestamp" => format!("xml::display_element(out, {elem}, v);"),
                "structure" => {
                    format!("xml::start(out, {elem});\nv.write_xml(out);\nxml::end(out, {elem});")
                }
                other => return Err(format!("{shape}.{}: cannot XML-encode a {other}", m.name)),
            };
            if m.required {
                writeln!(s, "{{ let v = &self.{f};\n{write}\n}}").ok();
            } else {
                writeln!(s, "if let Some(v) = &self.{f} {{\n{write}\n}}").ok();
            }
        }
        if members.is_empty() {
            s.push_str("let _ = out;\n");
        }
        s.push_str("}\n");
        Ok(s)
    }

    // --- files --------------------------------------------------------------

    fn op_file(&self, op: &Op<'_>) -> Result<String, String> {
        let desc = describe_operation(op.name).ok_or(format!(
            "no description for operation {}: add one to describe_operation",
            op.name
        ))?;
        let input = format!("{}Input", op.name);
        let output = format!("{}Output", op.name);
        let mut s = String::from(HEADER);
        writeln!(s, "//! `{}`: {desc}\n", op.name).ok();
        s.push_str(
            "#![allow(unused_imports)]\n// Generated code keeps one shape for every member, even where a lint would fold two.\n#![allow(clippy::single_match, clippy::collapsible_if, clippy::collapsible_match, clippy::match_single_binding)]\n\nuse std::fmt;\n\nuse crate::metadata::ResponseMetadata;\nuse crate::model::shapes::*;\nuse crate::model::validate;\nuse crate::model::{patterns, ServiceErrorKind, ValidationError};\nuse crate::protocol::xml::{self, Reader};\nuse crate::protocol::{decode, form, DecodeError, DecodeErrorKind, Form, FormError, Operation};\nuse crate::{DateTime, SecretString};\n\n",
        );
        s.push_str(&self.struct_def(
            &input,
            op.input,
            Side::Input,
            &format!("The input of `{}`: {desc}", op.name),
            false,
        )?);
        s.push_str(&self.struct_def(
            &output,
            op.output,
            Side::Output,
            &format!("The output of `{}`.", op.name),
            true,
        )?);
        s.push_str(&self.setters(&input, op.input, false)?);
        writeln!(s, "impl {output} {{").ok();
        s.push_str(&self.read_xml_fn(op.output, &output, true, "")?);
        s.push_str(&self.write_xml_fn(op.output, "")?);
        s.push_str("}\n\n");

        // Operation impl
        writeln!(s, "impl Operation for {input} {{").ok();
        writeln!(s, "const NAME: &'static str = {};", rust_str(op.name)).ok();
        writeln!(s, "const SIGNED: bool = {};", op.signed).ok();
        let errs: Vec<String> = op
            .errors
            .iter()
            .map(|e| format!("ServiceErrorKind::{}", error_variant(e)))
            .collect();
        writeln!(
            s,
            "const ERRORS: &'static [ServiceErrorKind] = &[{}];",
            errs.join(", ")
        )
        .ok();
        writeln!(s, "type Output = {output};\n").ok();

        let checks = self.validate_members(op.input, "self", &FieldPath::root())?;
        s.push_str("fn validate(&self) -> Result<(), ValidationError> {\n");
        if !checks.is_empty() {
            writeln!(s, "const OP: &str = {};", rust_str(op.name)).ok();
        }
        s.push_str(&checks);
        s.push_str("Ok(())\n}\n\n");

        s.push_str("fn encode_form(&self, body: &mut Vec<u8>) {\n");
        writeln!(
            s,
            "body.extend_from_slice(b\"Action={}&Version=2011-06-15\");",
            op.name
        )
        .ok();
        s.push_str(&self.encode_members(op.input, "self", &KeyPath::root())?);
        s.push_str("}\n\n");

        s.push_str("fn decode_output(body: &[u8]) -> Result<(Self::Output, Option<String>), DecodeError> {\n");
        s.push_str("let inner = || -> Result<_, DecodeErrorKind> {\n");
        writeln!(
            s,
            "let mut r = decode::open(body, {})?;",
            rust_str(&format!("{}Response", op.name))
        )
        .ok();
        s.push_str("let mut result = None;\nlet mut request_id = None;\nwhile let Some(name) = r.next_child()? {\nmatch name {\n");
        writeln!(
            s,
            "{} => result = Some({output}::read_xml(&mut r)?),",
            rust_str(op.result_wrapper)
        )
        .ok();
        s.push_str("\"ResponseMetadata\" => request_id = decode::response_metadata(&mut r)?,\n_ => r.skip_element()?,\n}\n}\nr.finish()?;\n");
        writeln!(
            s,
            "Ok((decode::required(result, {})?, request_id))",
            rust_str(op.result_wrapper)
        )
        .ok();
        s.push_str("};\ninner().map_err(|kind| DecodeError::new(kind, body))\n}\n\n");

        s.push_str("fn set_metadata(output: &mut Self::Output, metadata: ResponseMetadata) {\noutput.metadata = metadata;\n}\n\n");

        s.push_str(&self.decode_form_fn(op.input, &input)?);
        s.push('\n');

        s.push_str(
            "fn encode_output(output: &Self::Output, request_id: &str, out: &mut Vec<u8>) {\n",
        );
        writeln!(
            s,
            "xml::root_start(out, {});",
            rust_str(&format!("{}Response", op.name))
        )
        .ok();
        writeln!(s, "xml::start(out, {});", rust_str(op.result_wrapper)).ok();
        s.push_str("output.write_xml(out);\n");
        writeln!(s, "xml::end(out, {});", rust_str(op.result_wrapper)).ok();
        s.push_str("xml::start(out, \"ResponseMetadata\");\nxml::text_element(out, \"RequestId\", request_id);\nxml::end(out, \"ResponseMetadata\");\n");
        writeln!(
            s,
            "xml::end(out, {});",
            rust_str(&format!("{}Response", op.name))
        )
        .ok();
        s.push_str("}\n}\n");
        Ok(s)
    }

    fn shapes_file(&self) -> Result<String, String> {
        let mut s = String::from(HEADER);
        s.push_str("//! Structures shared by several operations.\n\n#![allow(unused_imports)]\n// Generated code keeps one shape for every member, even where a lint would fold two.\n#![allow(clippy::single_match, clippy::collapsible_if, clippy::collapsible_match, clippy::match_single_binding)]\n\nuse std::fmt;\n\nuse crate::model::validate;\nuse crate::model::{patterns, ValidationError};\nuse crate::protocol::xml::{self, Reader};\nuse crate::protocol::{decode, DecodeErrorKind};\nuse crate::{DateTime, SecretString};\n\n");
        for name in &self.m.input_structs {
            let doc = describe_shape(name).ok_or(format!(
                "no description for shape {name}: add one to describe_shape"
            ))?;
            s.push_str(&self.struct_def(name, name, Side::Input, doc, false)?);
            s.push_str(&self.setters(name, name, true)?);
        }
        for name in &self.m.output_structs {
            let doc = describe_shape(name).ok_or(format!(
                "no description for shape {name}: add one to describe_shape"
            ))?;
            s.push_str(&self.struct_def(name, name, Side::Output, doc, false)?);
            writeln!(s, "impl {name} {{").ok();
            s.push_str(&self.read_xml_fn(name, name, false, "pub(crate) ")?);
            s.push_str(&self.write_xml_fn(name, "pub(crate) ")?);
            s.push_str("}\n\n");
        }
        s.push_str(&self.secret_elements()?);
        Ok(s)
    }

    /// Every member name, in any structure, whose value is a secret: the
    /// elements an error excerpt of a response body must never show.
    fn secret_elements(&self) -> Result<String, String> {
        let mut names = BTreeSet::new();
        for shape in self.m.shapes.values() {
            if let Some(members) = shape.get("members").and_then(Value::as_object) {
                for (member, m) in members {
                    let target = m.get("shape").and_then(Value::as_str).unwrap_or_default();
                    if self.m.is_secret(target)? {
                        names.insert(member.clone());
                    }
                }
            }
        }
        let mut s = String::from(
            "/// Every member whose value is a secret; error excerpts of response\n/// bodies redact these elements.\npub(crate) const SECRET_ELEMENTS: &[&str] = &[\n",
        );
        for n in names {
            writeln!(s, "    {n:?},").ok();
        }
        s.push_str("];\n");
        Ok(s)
    }

    fn patterns_file(&self) -> String {
        let mut s = String::from(HEADER);
        s.push_str("//! The model's `pattern` character classes, compiled to predicates.\n\n#![allow(clippy::manual_is_ascii_check)]\n\nuse crate::model::validate::{is_letter, is_number, is_separator};\n\n");
        let mut seen = BTreeSet::new();
        for (shape, (fname, p)) in &self.patterns {
            if !self.used_patterns.borrow().contains(fname) || !seen.insert(fname.clone()) {
                continue;
            }
            writeln!(s, "/// What `{shape}` allows: {}.", p.description).ok();
            writeln!(
                s,
                "pub(crate) const {}_DESCRIPTION: &str = {};\n",
                fname.to_ascii_uppercase(),
                rust_str(&p.description)
            )
            .ok();
            writeln!(s, "/// Whether `c` is allowed by `{}`.", p.source).ok();
            let arms: Vec<String> = p
                .ranges
                .iter()
                .map(|&(lo, hi)| {
                    if lo == hi {
                        char_lit(lo)
                    } else {
                        format!("{}..={}", char_lit(lo), char_lit(hi))
                    }
                })
                .collect();
            let mut expr = format!("matches!(c, {})", arms.join(" | "));
            for cat in &p.categories {
                write!(expr, " || {cat}(c)").ok();
            }
            writeln!(s, "pub(crate) fn {fname}(c: char) -> bool {{\n{expr}\n}}\n").ok();
        }
        if !self
            .patterns
            .values()
            .any(|(_, p)| p.categories.contains(&"is_letter"))
        {
            s.push_str("#[allow(dead_code)]\nfn _uses() { let _ = (is_letter, is_number, is_separator); }\n");
        }
        s
    }

    fn errors_file(&self) -> Result<String, String> {
        let mut errors: Vec<(&str, &Value)> = self
            .m
            .shapes
            .iter()
            .filter(|(_, v)| v.get("exception").and_then(Value::as_bool) == Some(true))
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        errors.sort_by_key(|(k, _)| *k);
        let mut s = String::from(HEADER);
        s.push_str("//! The errors the STS model declares.\n\n");
        s.push_str("/// An STS error, by its code. `Unmodeled` covers codes the model does not list\n/// (throttling, `AccessDenied`, `ValidationError`, …); match on the code then.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum ServiceErrorKind {\n");
        let mut rows = Vec::new();
        for (name, v) in &errors {
            let doc = describe_shape(name).ok_or(format!(
                "no description for error {name}: add one to describe_shape"
            ))?;
            let code = v
                .pointer("/error/code")
                .and_then(Value::as_str)
                .ok_or(format!("error {name} has no error.code"))?;
            let status = v
                .pointer("/error/httpStatusCode")
                .and_then(Value::as_u64)
                .ok_or(format!("error {name} has no httpStatusCode"))?;
            let variant = error_variant(name);
            writeln!(s, "/// {doc} (`{code}`, HTTP {status})\n{variant},").ok();
            rows.push((variant, code.to_owned(), status, name.to_string()));
        }
        s.push_str("/// A code the model does not declare.\nUnmodeled,\n}\n\n");
        s.push_str("impl ServiceErrorKind {\n/// Every modeled kind.\npub const ALL: &'static [ServiceErrorKind] = &[");
        for (v, ..) in &rows {
            write!(s, "ServiceErrorKind::{v}, ").ok();
        }
        s.push_str("];\n\n/// The kind for a wire code (the model's shape name is accepted too).\npub fn from_code(code: &str) -> ServiceErrorKind {\nmatch code {\n");
        for (v, code, _, shape) in &rows {
            if code == shape {
                writeln!(s, "{} => ServiceErrorKind::{v},", rust_str(code)).ok();
            } else {
                writeln!(
                    s,
                    "{} | {} => ServiceErrorKind::{v},",
                    rust_str(code),
                    rust_str(shape)
                )
                .ok();
            }
        }
        s.push_str("_ => ServiceErrorKind::Unmodeled,\n}\n}\n\n/// The code STS sends, `None` for `Unmodeled`.\npub fn code(self) -> Option<&'static str> {\nmatch self {\n");
        for (v, code, ..) in &rows {
            writeln!(s, "ServiceErrorKind::{v} => Some({}),", rust_str(code)).ok();
        }
        s.push_str("ServiceErrorKind::Unmodeled => None,\n}\n}\n\n/// The HTTP status the model gives, `None` for `Unmodeled`.\npub fn http_status(self) -> Option<u16> {\nmatch self {\n");
        for (v, _, status, _) in &rows {
            writeln!(s, "ServiceErrorKind::{v} => Some({status}),").ok();
        }
        s.push_str("ServiceErrorKind::Unmodeled => None,\n}\n}\n}\n");
        Ok(s)
    }

    fn fluent_file(&self) -> Result<String, String> {
        let mut s = String::from(HEADER);
        s.push_str("//! Per-operation entry points and setters.\n\nuse super::{Client, RequestBuilder};\nuse crate::model::*;\nuse crate::{DateTime, SecretString};\n\n");
        let mut client_fns = String::new();
        let mut builders = String::new();
        for op in &self.m.operations {
            let desc = describe_operation(op.name).unwrap_or_default();
            let input = format!("{}Input", op.name);
            let f = snake(op.name);
            writeln!(client_fns, "/// `{}`: {desc}\npub fn {f}(&self) -> RequestBuilder<Self, {input}> {{\nRequestBuilder::new(self.clone())\n}}\n", op.name).ok();
            let members = self.m.members(op.input)?;
            if members.is_empty() {
                continue;
            }
            writeln!(builders, "impl<C> RequestBuilder<C, {input}> {{").ok();
            for m in &members {
                let mf = snake(m.name);
                let ty = self.m.rust_type(m.shape)?;
                let desc = describe_member(m.name).unwrap_or_default();
                if let Some(item) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
                    writeln!(builders, "/// Appends to `{}`: {desc}\npub fn {mf}(self, item: impl Into<{item}>) -> Self {{\nself.map_input(|i| i.{mf}(item))\n}}\n", m.name).ok();
                    writeln!(builders, "/// Replaces `{}`.\npub fn set_{mf}(self, v: Vec<{item}>) -> Self {{\nself.map_input(|i| i.set_{mf}(v))\n}}\n", m.name).ok();
                } else {
                    let arg = if ty == "i32" {
                        "i32".to_owned()
                    } else {
                        format!("impl Into<{ty}>")
                    };
                    writeln!(builders, "/// Sets `{}`: {desc}\npub fn {mf}(self, v: {arg}) -> Self {{\nself.map_input(|i| i.{mf}(v))\n}}\n", m.name).ok();
                    writeln!(builders, "/// Sets or clears `{}`.\npub fn set_{mf}(self, v: Option<{ty}>) -> Self {{\nself.map_input(|i| i.set_{mf}(v))\n}}\n", m.name).ok();
                }
            }
            builders.push_str("}\n\n");
        }
        writeln!(s, "impl Client {{\n{client_fns}}}\n").ok();
        writeln!(s, "impl crate::blocking::Client {{\n{client_fns}}}\n").ok();
        s.push_str(&builders);
        s.push_str("#[allow(dead_code)]\nfn _uses(_: DateTime, _: SecretString) {}\n");
        Ok(s)
    }
}

fn opt_u(v: Option<i64>) -> String {
    match v {
        Some(n) => format!("Some({n})"),
        None => "None".into(),
    }
}

fn opt_i(v: Option<i64>) -> String {
    match v {
        Some(n) => format!("Some({n})"),
        None => "None".into(),
    }
}

/// How a validation error names its field: a static string at top level,
/// formatted with list indexes below.
#[derive(Clone)]
struct FieldPath {
    /// `format!` template pieces, e.g. `Tags[{i}].Key`.
    template: String,
    indexed: bool,
}

impl FieldPath {
    fn root() -> Self {
        FieldPath {
            template: String::new(),
            indexed: false,
        }
    }
    fn child(&self, name: &str) -> Self {
        let template = if self.template.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.template)
        };
        FieldPath {
            template,
            indexed: self.indexed,
        }
    }
    fn index(&self) -> Self {
        FieldPath {
            template: format!("{}[{{i}}]", self.template),
            indexed: true,
        }
    }
    fn expr(&self) -> String {
        if self.indexed {
            format!("format!({})", rust_str(&self.template))
        } else {
            rust_str(&self.template)
        }
    }
}

/// Code writing a form key: literal pieces and list indexes.
#[derive(Clone)]
struct KeyPath {
    pieces: Vec<KeyPiece>,
}

#[derive(Clone)]
enum KeyPiece {
    Lit(String),
    Index,
}

impl KeyPath {
    fn root() -> Self {
        KeyPath { pieces: Vec::new() }
    }
    fn push_lit(&mut self, s: &str) {
        if let Some(KeyPiece::Lit(l)) = self.pieces.last_mut() {
            l.push_str(s);
        } else {
            self.pieces.push(KeyPiece::Lit(s.to_owned()));
        }
    }
    fn child(&self, name: &str) -> Self {
        let mut k = self.clone();
        k.push_lit(name);
        k
    }
    fn dot(&self) -> Self {
        let mut k = self.clone();
        k.push_lit(".");
        k
    }
    fn index(&self) -> Self {
        let mut k = self.clone();
        k.push_lit(".member.");
        k.pieces.push(KeyPiece::Index);
        k
    }
    fn write(&self) -> String {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                KeyPiece::Lit(l) => {
                    writeln!(s, "body.extend_from_slice(b{});", rust_str(l)).ok();
                }
                KeyPiece::Index => s.push_str("form::index(body, i);\n"),
            }
        }
        s
    }
}

fn rustfmt(path: &Path, text: String) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run rustfmt (is it installed? `rustup component add rustfmt`): {e}")
        })?;
    let mut stdin = child.stdin.take().ok_or("rustfmt: no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt: writer thread panicked".to_owned())?
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected the generated {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "rustfmt printed non-UTF-8".to_owned())
}

/// The generated model and protocol files.
pub fn generate(reference: &Path) -> Result<Vec<Generated>, String> {
    let path = reference.join(SOURCE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read the STS model at {}: {e} (check out shared/reference beside the workspace or set AWSSTS_REFERENCE_DIR)",
            path.display()
        )
    })?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
    let model = Model::new(&doc)?;

    // Compile the pattern of every string shape that has one.
    let mut patterns = BTreeMap::new();
    for (name, shape) in model.shapes {
        if let Some(p) = shape.get("pattern").and_then(Value::as_str) {
            let compiled = compile_pattern(p).map_err(|e| format!("shape {name}: {e}"))?;
            patterns.insert(name.clone(), (snake(name), compiled));
        }
    }
    let generator = Gen {
        m: &model,
        patterns,
        used_patterns: Default::default(),
    };

    let base = PathBuf::from("crates/awssts/src");
    let mut raw: Vec<(PathBuf, String)> = Vec::new();
    for op in &model.operations {
        raw.push((
            base.join(format!("model/{}.rs", snake(op.name))),
            generator.op_file(op)?,
        ));
    }
    raw.push((base.join("model/shapes.rs"), generator.shapes_file()?));
    raw.push((base.join("model/patterns.rs"), generator.patterns_file()));
    raw.push((base.join("model/errors.rs"), generator.errors_file()?));
    raw.push((base.join("client/fluent.rs"), generator.fluent_file()?));
    raw.into_iter()
        .map(|(path, text)| {
            let text = rustfmt(&path, text)?;
            Ok(Generated { path, text })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("SAMLAssertion"), "saml_assertion");
        assert_eq!(snake("AssumeRoleWithSAML"), "assume_role_with_saml");
        assert_eq!(snake("arn"), "arn");
        assert_eq!(
            snake("MinimumSessionTokenSize"),
            "minimum_session_token_size"
        );
        assert_eq!(camel("IDPCommunicationError"), "IdpCommunicationError");
        assert_eq!(camel("JWTPayloadSizeExceeded"), "JwtPayloadSizeExceeded");
        assert_eq!(error_variant("ExpiredTokenException"), "ExpiredToken");
    }

    #[test]
    fn patterns_compile_or_fail_loudly() {
        let p = compile_pattern("[\\w+=,.@-]*").unwrap();
        assert_eq!(p.description, "letters, digits, _ and +=,.@-");
        assert!(!p.non_empty);
        let p = compile_pattern("[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+").unwrap();
        assert!(p.non_empty);
        assert!(p.ranges.contains(&(0x10000, 0x10FFFF)));
        assert!(
            compile_pattern("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
                .unwrap()
                .categories
                .len()
                == 3
        );
        for bad in [
            "abc",
            "[a]",
            "[\\s]*",
            "[\\p{Lu}]*",
            "[^a]*",
            "(a|b)*",
            "[\\uD800]*",
        ] {
            assert!(compile_pattern(bad).is_err(), "{bad}");
        }
    }
}
