//! The emulator's configuration: who exists (users with keys, roles with
//! trust rules), which faults are preloaded, whether the admin endpoint is
//! on. Read from TOML (see the crate docs for the format; [`crate::toml`]
//! reads the subset it uses) or built in code.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use awssts::SecretString;
use serde::Deserialize as _;
use serde::de::IntoDeserializer as _;
use zeroize::Zeroizing;

use crate::arn::Arn;
use crate::faults::{Fault, FaultKind};
use crate::toml::{Entry, SyntaxError, Table, Value};

/// The account of the built-in user.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The built-in user.
pub const DEFAULT_USER_ARN: &str = "arn:aws:iam::123456789012:user/emulator";
/// The built-in user's access key id (AWS's documented example).
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// The built-in user's secret access key (AWS's documented example).
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// IAM's default `MaxSessionDuration` for a role.
pub const DEFAULT_MAX_SESSION_DURATION: i32 = 3600;

/// The whole configuration, as the TOML file holds it.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Config {
    /// Serve the admin endpoint under `/_awssts/`.
    pub admin: bool,
    /// Keep the built-in user (`AKIAIOSFODNN7EXAMPLE`) besides the users
    /// declared. On unless set to `false`.
    pub default_user: Option<bool>,
    /// The organization's management account (AssumeRoot callers must be
    /// in it); the built-in account unless set.
    pub management_account: Option<String>,
    /// IAM users and their long-term keys.
    pub users: Vec<UserConfig>,
    /// Roles. Once any is declared, only declared roles can be assumed.
    pub roles: Vec<RoleConfig>,
    /// Faults queued when the emulator starts.
    pub faults: Vec<Fault>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("admin", &self.admin)
            .field("default_user", &self.default_user)
            .field("management_account", &self.management_account)
            .field("users", &self.users)
            .field("roles", &self.roles)
            .field("faults", &self.faults)
            .finish()
    }
}

/// An IAM user (or an account's root user) with one long-term key.
#[derive(Clone)]
#[non_exhaustive]
pub struct UserConfig {
    /// `arn:aws:iam::ACCOUNT:user/NAME` or `arn:aws:iam::ACCOUNT:root`.
    pub arn: String,
    /// The key id, `AKIA…`.
    pub access_key_id: String,
    /// The secret key. Never printed; zeroized on drop.
    pub secret_access_key: SecretString,
    /// The user's MFA device serial (or ARN).
    pub mfa_serial: Option<String>,
    /// The one code the device accepts; without it, any six digits are
    /// accepted. Never printed; zeroized on drop.
    pub mfa_code: Option<SecretString>,
}

impl UserConfig {
    /// A user with a key and no MFA device.
    pub fn new(
        arn: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        UserConfig {
            arn: arn.into(),
            access_key_id: access_key_id.into(),
            secret_access_key: SecretString::new(secret_access_key),
            mfa_serial: None,
            mfa_code: None,
        }
    }

    /// The same user with an MFA device; `code` is the only code it accepts
    /// (`None`: any six digits).
    pub fn with_mfa(mut self, serial: impl Into<String>, code: Option<String>) -> Self {
        self.mfa_serial = Some(serial.into());
        self.mfa_code = code.map(SecretString::from);
        self
    }
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("mfa_serial", &self.mfa_serial)
            .field("mfa_code", &self.mfa_code)
            .finish()
    }
}

/// A role and its trust rules.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RoleConfig {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub arn: String,
    /// Who may assume it: user or role ARNs, account ids (any principal of
    /// that account), or `"*"`. Empty: nobody by AssumeRole.
    pub trust: Vec<String>,
    /// The ExternalId callers must pass.
    pub external_id: Option<String>,
    /// Callers must authenticate with MFA.
    pub mfa_required: bool,
    /// The longest session, 3600 to 43200 seconds (3600 by default).
    pub max_session_duration: Option<i32>,
    /// Audiences (`aud`) accepted by AssumeRoleWithWebIdentity; empty: any.
    pub web_identity_audiences: Vec<String>,
    /// SAML provider ARNs accepted by AssumeRoleWithSAML; empty: any.
    pub saml_providers: Vec<String>,
}

impl RoleConfig {
    /// A role anyone may assume, with IAM's defaults.
    pub fn new(arn: impl Into<String>) -> Self {
        RoleConfig {
            arn: arn.into(),
            trust: vec!["*".to_owned()],
            external_id: None,
            mfa_required: false,
            max_session_duration: None,
            web_identity_audiences: Vec::new(),
            saml_providers: Vec::new(),
        }
    }

    /// Replaces who may assume the role.
    pub fn trust(mut self, principals: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.trust = principals.into_iter().map(Into::into).collect();
        self
    }

    /// Requires an ExternalId.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Requires MFA.
    pub fn mfa_required(mut self, on: bool) -> Self {
        self.mfa_required = on;
        self
    }

    /// Sets the longest session, in seconds.
    pub fn max_session_duration(mut self, seconds: i32) -> Self {
        self.max_session_duration = Some(seconds);
        self
    }

    /// Sets the accepted web identity audiences.
    pub fn web_identity_audiences(
        mut self,
        audiences: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.web_identity_audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the accepted SAML providers.
    pub fn saml_providers(
        mut self,
        providers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.saml_providers = providers.into_iter().map(Into::into).collect();
        self
    }
}

/// A configuration that cannot be used. Messages name the file, the key
/// and the fix; they never show a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the emulator config {}: {source}; check the path passed to --config", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML (or not the subset the config uses), or has an
    /// unknown key or a value of the wrong type.
    #[error("{}: line {line}: {message}; see the format in the awssts-emulator README", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line (1-based) of the key or header.
        line: usize,
        /// The key and what is wrong with it.
        message: String,
    },
    /// A value is well-formed TOML but not usable.
    #[error("{}: {key}: {problem}; {fix}", path.display())]
    Invalid {
        /// The file (`<builder>` for a configuration built in code).
        path: PathBuf,
        /// The key, e.g. `roles[2].max_session_duration`.
        key: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        fix: &'static str,
    },
}

impl Config {
    /// Reads and checks a TOML file.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        // The text holds the users' secret keys: wiped when dropped.
        let text = std::fs::read_to_string(path)
            .map(Zeroizing::new)
            .map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
        Config::from_toml(&text, path)
    }

    /// Parses and checks TOML text; `path` names it in errors.
    pub fn from_toml(text: &str, path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let config = crate::toml::parse(text)
            .and_then(Config::from_document)
            .map_err(|e| ConfigError::Parse {
                path: path.to_owned(),
                line: e.line,
                message: e.message,
            })?;
        config.resolve(path)?;
        Ok(config)
    }

    /// Adds a user.
    pub fn user(mut self, user: UserConfig) -> Self {
        self.users.push(user);
        self
    }

    /// Adds a role (from then on only declared roles can be assumed).
    pub fn role(mut self, role: RoleConfig) -> Self {
        self.roles.push(role);
        self
    }

    /// Turns the admin endpoint on or off.
    pub fn admin(mut self, on: bool) -> Self {
        self.admin = on;
        self
    }

    /// Keeps or drops the built-in user.
    pub fn default_user(mut self, on: bool) -> Self {
        self.default_user = Some(on);
        self
    }

    /// Queues a fault for the start.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Checks every value and builds the lookup tables.
    pub(crate) fn resolve(&self, path: &Path) -> Result<Directory, ConfigError> {
        let invalid = |key: String, problem: String, fix: &'static str| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            problem,
            fix,
        };
        let mut users: HashMap<String, Arc<User>> = HashMap::new();
        let built_in = (self.default_user != Some(false)).then(|| {
            UserConfig::new(
                DEFAULT_USER_ARN,
                DEFAULT_ACCESS_KEY_ID,
                DEFAULT_SECRET_ACCESS_KEY,
            )
        });
        let declared = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (Cow::Owned(format!("users[{i}]")), u));
        let all_users = built_in
            .iter()
            .map(|u| (Cow::Borrowed("<built-in user>"), u))
            .chain(declared);
        for (key, u) in all_users {
            let secret = u.secret_access_key.expose_secret();
            let Some(principal) = Arn::user(&u.arn) else {
                return Err(invalid(
                    format!("{key}.arn"),
                    format!("{:?} is not a user ARN", u.arn),
                    "write arn:aws:iam::ACCOUNT:user/NAME (12-digit account) or arn:aws:iam::ACCOUNT:root",
                ));
            };
            if !is_key_id(&u.access_key_id) {
                return Err(invalid(
                    format!("{key}.access_key_id"),
                    format!("{:?} is not an access key id", u.access_key_id),
                    "use 16 to 128 uppercase letters and digits starting with AKIA",
                ));
            }
            if secret.is_empty() || secret.len() > 128 || !secret.is_ascii() {
                return Err(invalid(
                    format!("{key}.secret_access_key"),
                    "the secret access key is empty, too long or not ASCII".to_owned(),
                    "use the 40-character secret that goes with the key id",
                ));
            }
            if let Some(code) = &u.mfa_code
                && (code.len() != 6 || !code.expose_secret().bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(invalid(
                    format!("{key}.mfa_code"),
                    "the MFA code is not six digits".to_owned(),
                    "write six digits, or remove mfa_code to accept any six digits",
                ));
            }
            if u.mfa_code.is_some() && u.mfa_serial.is_none() {
                return Err(invalid(
                    format!("{key}.mfa_code"),
                    "an MFA code is set without a device".to_owned(),
                    "add mfa_serial (e.g. arn:aws:iam::ACCOUNT:mfa/NAME)",
                ));
            }
            if users.contains_key(&u.access_key_id) {
                return Err(invalid(
                    format!("{key}.access_key_id"),
                    format!("{} is used by two users", u.access_key_id),
                    "give each user its own key id (set default_user = false to free the built-in one)",
                ));
            }
            let user_id = match principal.root {
                true => principal.account.to_owned(),
                false => crate::keys::stable_id(
                    crate::access_key::KeyKind::User,
                    principal.account,
                    &u.arn,
                ),
            };
            users.insert(
                u.access_key_id.clone(),
                Arc::new(User {
                    arn: u.arn.clone(),
                    account: principal.account.to_owned(),
                    user_id,
                    root: principal.root,
                    secret: u.secret_access_key.clone(),
                    mfa_serial: u.mfa_serial.clone(),
                    mfa_code: u.mfa_code.clone(),
                }),
            );
        }

        let mut roles = HashMap::new();
        for (i, r) in self.roles.iter().enumerate() {
            let key = format!("roles[{i}]");
            let Some(parsed) = Arn::role(&r.arn) else {
                return Err(invalid(
                    format!("{key}.arn"),
                    format!("{:?} is not a role ARN", r.arn),
                    "write arn:aws:iam::ACCOUNT:role/NAME (12-digit account)",
                ));
            };
            let max = r
                .max_session_duration
                .unwrap_or(DEFAULT_MAX_SESSION_DURATION);
            if !(3600..=43200).contains(&max) {
                return Err(invalid(
                    format!("{key}.max_session_duration"),
                    format!("{max} is outside IAM's range"),
                    "use 3600 to 43200 seconds",
                ));
            }
            for (j, t) in r.trust.iter().enumerate() {
                if !(t == "*" || is_account(t) || t.starts_with("arn:")) {
                    return Err(invalid(
                        format!("{key}.trust[{j}]"),
                        format!("{t:?} is not a principal"),
                        "use \"*\", a 12-digit account id, or a user or role ARN",
                    ));
                }
            }
            if roles.contains_key(&r.arn) {
                return Err(invalid(
                    format!("{key}.arn"),
                    format!("{} is declared twice", r.arn),
                    "declare each role once",
                ));
            }
            roles.insert(
                r.arn.clone(),
                Role {
                    arn: r.arn.clone(),
                    account: parsed.account.to_owned(),
                    name: parsed.name.to_owned(),
                    role_id: crate::keys::stable_id(
                        crate::access_key::KeyKind::Role,
                        parsed.account,
                        &r.arn,
                    ),
                    trust: r.trust.clone(),
                    external_id: r.external_id.clone(),
                    mfa_required: r.mfa_required,
                    max_session_duration: max,
                    web_identity_audiences: r.web_identity_audiences.clone(),
                    saml_providers: r.saml_providers.clone(),
                },
            );
        }
        let management_account = match &self.management_account {
            Some(a) if is_account(a) => a.clone(),
            Some(a) => {
                return Err(invalid(
                    "management_account".to_owned(),
                    format!("{a:?} is not an account id"),
                    "write the 12-digit account id",
                ));
            }
            None => DEFAULT_ACCOUNT.to_owned(),
        };
        for (i, f) in self.faults.iter().enumerate() {
            if f.count == 0 {
                return Err(invalid(
                    format!("faults[{i}].count"),
                    "a fault for 0 requests does nothing".to_owned(),
                    "use a count of 1 or more",
                ));
            }
            if let Some(problem) = f.unknown_operation() {
                return Err(invalid(
                    format!("faults[{i}].operation"),
                    problem,
                    "spell the operation as STS does, or leave operation out to match any",
                ));
            }
        }
        Ok(Directory {
            open_roles: self.roles.is_empty(),
            users,
            roles,
            management_account,
        })
    }
}

impl Config {
    /// The configuration a parsed file declares: every key known and of
    /// the right type (the values themselves are checked by `resolve`).
    fn from_document(doc: Table) -> Result<Config, SyntaxError> {
        let mut config = Config::default();
        for (key, field) in fields("", doc) {
            match key.as_str() {
                "admin" => config.admin = field.boolean()?,
                "default_user" => config.default_user = Some(field.boolean()?),
                "management_account" => config.management_account = Some(field.string()?),
                "users" => {
                    for (i, table) in field.tables()?.into_iter().enumerate() {
                        config.users.push(user(i, table)?);
                    }
                }
                "roles" => {
                    for (i, table) in field.tables()?.into_iter().enumerate() {
                        config.roles.push(role(i, table)?);
                    }
                }
                "faults" => {
                    for (i, table) in field.tables()?.into_iter().enumerate() {
                        config.faults.push(fault(i, table)?);
                    }
                }
                _ => {
                    return Err(field.unknown(
                        "the top level takes admin, default_user, management_account, \
                         and [[users]], [[roles]] and [[faults]] tables",
                    ));
                }
            }
        }
        Ok(config)
    }
}

fn user(i: usize, table: Table) -> Result<UserConfig, SyntaxError> {
    let prefix = format!("users[{i}]");
    let header = table.line;
    let (mut arn, mut key_id, mut secret) = (None, None, None);
    let mut user = UserConfig::new("", "", "");
    for (key, field) in fields(&prefix, table) {
        match key.as_str() {
            "arn" => arn = Some(field.string()?),
            "access_key_id" => key_id = Some(field.string()?),
            "secret_access_key" => secret = Some(field.secret()?),
            "mfa_serial" => user.mfa_serial = Some(field.string()?),
            "mfa_code" => user.mfa_code = Some(field.secret()?),
            _ => {
                return Err(field.unknown(
                    "a user takes arn, access_key_id, secret_access_key, mfa_serial and mfa_code",
                ));
            }
        }
    }
    user.arn = required(&prefix, header, "arn", arn)?;
    user.access_key_id = required(&prefix, header, "access_key_id", key_id)?;
    user.secret_access_key = required(&prefix, header, "secret_access_key", secret)?;
    Ok(user)
}

fn role(i: usize, table: Table) -> Result<RoleConfig, SyntaxError> {
    let prefix = format!("roles[{i}]");
    let header = table.line;
    let mut arn = None;
    // From a file, a role trusts only whom it lists.
    let mut role = RoleConfig::new("").trust(Vec::<String>::new());
    for (key, field) in fields(&prefix, table) {
        match key.as_str() {
            "arn" => arn = Some(field.string()?),
            "trust" => role.trust = field.strings()?,
            "external_id" => role.external_id = Some(field.string()?),
            "mfa_required" => role.mfa_required = field.boolean()?,
            "max_session_duration" => role.max_session_duration = Some(field.integer()?),
            "web_identity_audiences" => role.web_identity_audiences = field.strings()?,
            "saml_providers" => role.saml_providers = field.strings()?,
            _ => {
                return Err(field.unknown(
                    "a role takes arn, trust, external_id, mfa_required, max_session_duration, \
                     web_identity_audiences and saml_providers",
                ));
            }
        }
    }
    role.arn = required(&prefix, header, "arn", arn)?;
    Ok(role)
}

fn fault(i: usize, table: Table) -> Result<Fault, SyntaxError> {
    let prefix = format!("faults[{i}]");
    let header = table.line;
    let (mut kind, mut count, mut operation) = (None, 1, None);
    for (key, field) in fields(&prefix, table) {
        match key.as_str() {
            "kind" => {
                let (path, line) = (field.path.clone(), field.line);
                let name = field.string()?;
                // The same names as the admin endpoint's JSON (serde's).
                let parsed = FaultKind::deserialize(name.as_str().into_deserializer());
                kind = Some(parsed.map_err(|e: serde::de::value::Error| SyntaxError {
                    line,
                    message: format!("{path}: {e}"),
                })?);
            }
            "count" => count = field.integer()?,
            "operation" => operation = Some(field.string()?),
            _ => return Err(field.unknown("a fault takes kind, count and operation")),
        }
    }
    Ok(Fault {
        kind: required(&prefix, header, "kind", kind)?,
        count,
        operation,
    })
}

/// A key every table of its kind must have.
fn required<T>(prefix: &str, header: usize, key: &str, value: Option<T>) -> Result<T, SyntaxError> {
    value.ok_or_else(|| SyntaxError {
        line: header,
        message: format!("{prefix}: {key} is missing"),
    })
}

/// A key of the file, with its full name (`roles[2].trust`) and line for
/// messages, which never show the value.
struct Field {
    path: String,
    line: usize,
    value: Value,
}

/// The entries of `table` as fields named under `prefix`.
fn fields(prefix: &str, table: Table) -> impl Iterator<Item = (String, Field)> {
    table
        .entries
        .into_iter()
        .map(move |Entry { key, line, value }| {
            let path = match prefix {
                "" => key.clone(),
                _ => format!("{prefix}.{key}"),
            };
            (key, Field { path, line, value })
        })
}

impl Field {
    fn error(&self, message: String) -> SyntaxError {
        SyntaxError {
            line: self.line,
            message: format!("{}: {message}", self.path),
        }
    }

    fn expected(&self, what: &str) -> SyntaxError {
        self.error(format!("expected {what}, found {}", self.value.kind()))
    }

    fn unknown(&self, takes: &str) -> SyntaxError {
        self.error(format!("unknown key ({takes})"))
    }

    fn string(self) -> Result<String, SyntaxError> {
        match self.value {
            Value::String(s) => Ok(s),
            _ => Err(self.expected("a \"string\"")),
        }
    }

    /// A string the file holds as a secret: moved, not copied, into a
    /// [`SecretString`].
    fn secret(self) -> Result<SecretString, SyntaxError> {
        self.string().map(SecretString::from)
    }

    fn boolean(self) -> Result<bool, SyntaxError> {
        match self.value {
            Value::Boolean(b) => Ok(b),
            _ => Err(self.expected("true or false")),
        }
    }

    fn integer<T: TryFrom<i64>>(self) -> Result<T, SyntaxError> {
        match self.value {
            Value::Integer(n) => {
                T::try_from(n).map_err(|_| self.error(format!("{n} is out of range")))
            }
            _ => Err(self.expected("an integer")),
        }
    }

    fn strings(mut self) -> Result<Vec<String>, SyntaxError> {
        let Value::Array(items) = &mut self.value else {
            return Err(self.expected("an array of strings"));
        };
        // Taken out so the items move into the result while `self` still
        // names the field in an error.
        std::mem::take(items)
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(self.error(format!(
                    "expected an array of strings, found {} in it",
                    other.kind()
                ))),
            })
            .collect()
    }

    /// The tables of `[[name]]` headers (an empty array is none).
    fn tables(self) -> Result<Vec<Table>, SyntaxError> {
        match self.value {
            Value::Tables(tables) => Ok(tables),
            Value::Array(items) if items.is_empty() => Ok(Vec::new()),
            Value::Table(_) => Err(self.error(format!(
                "a list of tables; write [[{}]] for each entry",
                self.path
            ))),
            _ => Err(self.expected("[[header]] tables")),
        }
    }
}

/// Whether `s` is a 12-digit account id.
pub(crate) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_key_id(s: &str) -> bool {
    (16..=128).contains(&s.len())
        && s.starts_with("AKIA")
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An IAM user as the emulator knows it.
pub(crate) struct User {
    pub arn: String,
    pub account: String,
    pub user_id: String,
    pub root: bool,
    pub secret: SecretString,
    pub mfa_serial: Option<String>,
    pub mfa_code: Option<SecretString>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("arn", &self.arn)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// A role as the emulator knows it (declared, or made up on the fly when
/// no role is declared).
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub arn: String,
    pub account: String,
    pub name: String,
    pub role_id: String,
    pub trust: Vec<String>,
    pub external_id: Option<String>,
    pub mfa_required: bool,
    pub max_session_duration: i32,
    pub web_identity_audiences: Vec<String>,
    pub saml_providers: Vec<String>,
}

/// Who exists: users by key id, roles by ARN.
#[derive(Debug)]
pub(crate) struct Directory {
    pub users: HashMap<String, Arc<User>>,
    pub roles: HashMap<String, Role>,
    /// No role declared: any well-formed role ARN may be assumed by anyone.
    pub open_roles: bool,
    pub management_account: String,
}

impl Directory {
    /// The role `arn` names, if it exists (in open mode every role exists,
    /// made up for the request; declared roles are borrowed).
    pub(crate) fn role(&self, arn: &str) -> Option<Cow<'_, Role>> {
        if let Some(r) = self.roles.get(arn) {
            return Some(Cow::Borrowed(r));
        }
        if !self.open_roles {
            return None;
        }
        let parsed = Arn::role(arn)?;
        Some(Cow::Owned(Role {
            arn: arn.to_owned(),
            account: parsed.account.to_owned(),
            name: parsed.name.to_owned(),
            role_id: crate::keys::stable_id(crate::access_key::KeyKind::Role, parsed.account, arn),
            trust: vec!["*".to_owned()],
            external_id: None,
            mfa_required: false,
            max_session_duration: DEFAULT_MAX_SESSION_DURATION,
            web_identity_audiences: Vec::new(),
            saml_providers: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_has_the_example_user_and_open_roles() {
        let dir = Config::default().resolve(Path::new("<test>")).unwrap();
        let u = &dir.users[DEFAULT_ACCESS_KEY_ID];
        assert_eq!(u.arn, DEFAULT_USER_ARN);
        assert_eq!(u.account, DEFAULT_ACCOUNT);
        assert!(u.user_id.starts_with("AIDA"));
        let r = dir.role("arn:aws:iam::111122223333:role/path/x").unwrap();
        assert_eq!(r.name, "x");
        assert_eq!(r.account, "111122223333");
        assert!(dir.role("arn:aws:iam::111122223333:user/x").is_none());
    }

    #[test]
    fn declared_roles_are_borrowed_not_copied() {
        let arn = "arn:aws:iam::111122223333:role/deploy";
        let config = Config {
            roles: vec![RoleConfig::new(arn)],
            ..Config::default()
        };
        let dir = config.resolve(Path::new("<test>")).unwrap();
        assert!(matches!(dir.role(arn), Some(Cow::Borrowed(r)) if r.arn == arn));
        let open = Config::default().resolve(Path::new("<test>")).unwrap();
        assert!(matches!(open.role(arn), Some(Cow::Owned(r)) if r.arn == arn));
    }

    #[test]
    fn toml_format() {
        let text = r#"
admin = true
management_account = "111111111111"

[[users]]
arn = "arn:aws:iam::111122223333:user/alice"
access_key_id = "AKIAALICE0000000TEST"
secret_access_key = "alice-secret-alice-secret-alice-secret-0"
mfa_serial = "arn:aws:iam::111122223333:mfa/alice"
mfa_code = "123456"

[[roles]]
arn = "arn:aws:iam::111122223333:role/deploy"
trust = ["arn:aws:iam::111122223333:user/alice", "444455556666"]
external_id = "ext-1"
mfa_required = true
max_session_duration = 7200

[[faults]]
kind = "throttling"
count = 2
operation = "AssumeRole"
"#;
        let config = Config::from_toml(text, "emu.toml").unwrap();
        assert!(config.admin);
        assert_eq!(config.faults.len(), 1);
        let dir = config.resolve(Path::new("emu.toml")).unwrap();
        assert_eq!(dir.users.len(), 2);
        assert!(!dir.open_roles);
        assert_eq!(
            dir.roles["arn:aws:iam::111122223333:role/deploy"].max_session_duration,
            7200
        );
        assert!(dir.role("arn:aws:iam::111122223333:role/other").is_none());
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("alice-secret") && !shown.contains("123456"),
            "{shown}"
        );
    }

    #[test]
    fn errors_name_file_key_and_fix() {
        let cases = [
            (
                "[[roles]]\narn = \"arn:aws:iam::1:role/x\"\n",
                "roles[0].arn",
            ),
            (
                "[[roles]]\narn = \"arn:aws:iam::111122223333:role/x\"\nmax_session_duration = 60\n",
                "roles[0].max_session_duration",
            ),
            (
                "[[users]]\narn = \"arn:aws:iam::111122223333:user/a\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_access_key = \"s3cr3t-value\"\n",
                "users[0].access_key_id",
            ),
            (
                "[[faults]]\nkind = \"throttling\"\ncount = 0\n",
                "faults[0].count",
            ),
        ];
        for (text, key) in cases {
            let e = Config::from_toml(text, "emu.toml").unwrap_err().to_string();
            assert!(e.starts_with("emu.toml: "), "{e}");
            assert!(e.contains(key), "{key}: {e}");
            assert!(!e.contains("s3cr3t"), "{e}");
        }
        let e = Config::from_toml("admin = true\nadmn = 1\n", "emu.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("emu.toml: line 2: admn: unknown key"), "{e}");
        let e = Config::load("/nonexistent/emu.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/emu.toml"), "{e}");
    }

    #[test]
    fn keys_and_types_are_checked_with_their_line() {
        let user = "[[users]]\narn = \"arn:aws:iam::111122223333:user/a\"\n\
                    access_key_id = \"AKIAALICE0000000TEST\"\n";
        let cases: &[(&str, &str)] = &[
            (
                "admin = \"yes\"",
                "line 1: admin: expected true or false, found a string",
            ),
            (
                "\n\nmanagement_account = 111111111111",
                "line 3: management_account: expected a \"string\", found an integer",
            ),
            (
                "[users]\narn = \"x\"",
                "line 1: users: a list of tables; write [[users]]",
            ),
            (
                "users = 1",
                "line 1: users: expected [[header]] tables, found an integer",
            ),
            (
                "[[roles]]\narn = \"arn:aws:iam::111122223333:role/r\"\ntrust = [\"*\", 1]",
                "line 3: roles[0].trust: expected an array of strings, found an integer in it",
            ),
            (
                "[[roles]]\nmax_session_duration = 99999999999",
                "line 2: roles[0].max_session_duration: 99999999999 is out of range",
            ),
            ("[[roles]]\ntrust = []", "line 1: roles[0]: arn is missing"),
            (
                "[[roles]]\narn = \"a\"\n[[roles]]\nexternal = \"x\"",
                "line 4: roles[1].external: unknown key (a role takes arn, trust,",
            ),
            (user, "line 1: users[0]: secret_access_key is missing"),
            (
                "[[faults]]\nkind = \"throtling\"",
                "line 2: faults[0].kind: unknown variant `throtling`, expected one of `throttling`",
            ),
            (
                "[[faults]]\ncount = -1\nkind = \"stall\"",
                "line 2: faults[0].count: -1 is out of range",
            ),
            (
                "[[faults]]\ncount = 2",
                "line 1: faults[0]: kind is missing",
            ),
            (
                "admin = true\nadmin = false",
                "line 2: admin is set twice (first on line 1)",
            ),
        ];
        for (text, part) in cases {
            let e = Config::from_toml(text, "emu.toml").unwrap_err().to_string();
            assert!(e.starts_with("emu.toml: "), "{e}");
            assert!(e.contains(part), "{text:?}: {e}");
            assert!(
                e.ends_with("see the format in the awssts-emulator README"),
                "{e}"
            );
        }
    }

    #[test]
    fn mistyped_secrets_are_not_shown() {
        let text = "[[users]]\narn = \"arn:aws:iam::111122223333:user/a\"\n\
                    access_key_id = \"AKIAALICE0000000TEST\"\nsecret_access_key = [\"s3cr3t\"]\n\
                    mfa_code = 123456\n";
        let e = Config::from_toml(text, "emu.toml").unwrap_err().to_string();
        assert!(e.contains("users[0].secret_access_key"), "{e}");
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn unquoted_secrets_are_named_not_shown() {
        let user = "[[users]]\narn = \"arn:aws:iam::111122223333:user/a\"\n\
                    access_key_id = \"AKIAALICE0000000TEST\"\n";
        let secret = "secret_access_key = \"alice-secret-alice-secret-alice-secret-0\"\n";
        let serial = "mfa_serial = \"arn:aws:iam::111122223333:mfa/a\"\n";
        // The value each line holds, which no message may show.
        let cases = [
            (
                format!("{user}{serial}{secret}mfa_code = 123456\n"),
                "users[0].mfa_code",
                "123456",
            ),
            // A code with a leading zero is not a TOML integer either.
            (
                format!("{user}{serial}{secret}mfa_code = 012345\n"),
                "mfa_code",
                "12345",
            ),
            (
                format!("{user}{serial}{secret}mfa_code = 12_34_56\n"),
                "users[0].mfa_code",
                "34",
            ),
            (
                format!("{user}secret_access_key = 12345\n"),
                "users[0].secret_access_key",
                "12345",
            ),
            (
                format!("{user}secret_access_key = 98765432109876543210987\n"),
                "secret_access_key",
                "98765",
            ),
            (
                format!("{user}secret_access_key = 0x98765\n"),
                "secret_access_key",
                "98765",
            ),
            (
                format!("{user}secret_access_key = 98765.5\n"),
                "secret_access_key",
                "98765",
            ),
        ];
        for (text, key, digits) in &cases {
            let e = Config::from_toml(text, "emu.toml").unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
            assert!(!e.contains(digits), "{e}");
        }
        // Codes often start with 0: the fix offered is quoting, not
        // dropping the zero.
        let e = Config::from_toml(&cases[1].0, "emu.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("or quote text: mfa_code = \"…\""), "{e}");
        // So is it for numbers the subset refuses (hex, fractions).
        for case in &cases[5..] {
            let e = Config::from_toml(&case.0, "emu.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("quote text"), "{e}");
        }
    }

    #[test]
    fn secrets_are_kept_as_secret_strings() {
        let config = Config::default().user(
            UserConfig::new(
                "arn:aws:iam::111122223333:user/alice",
                "AKIAALICE0000000TEST",
                "alice-secret-alice-secret-alice-secret-0",
            )
            .with_mfa("arn:aws:iam::111122223333:mfa/alice", Some("654321".into())),
        );
        let declared: &SecretString = &config.users[0].secret_access_key;
        assert_eq!(
            declared.expose_secret(),
            "alice-secret-alice-secret-alice-secret-0"
        );
        let dir = config.resolve(Path::new("<test>")).unwrap();
        let alice = &dir.users["AKIAALICE0000000TEST"];
        let (secret, code): (&SecretString, Option<&SecretString>) =
            (&alice.secret, alice.mfa_code.as_ref());
        assert_eq!(
            secret.expose_secret(),
            "alice-secret-alice-secret-alice-secret-0"
        );
        assert_eq!(code.map(SecretString::expose_secret), Some("654321"));
        let shown = format!("{config:?} {dir:?}");
        assert!(
            !shown.contains("alice-secret") && !shown.contains("654321"),
            "{shown}"
        );
    }

    #[test]
    fn defaults_of_a_file() {
        let text =
            "[[roles]]\narn = \"arn:aws:iam::111122223333:role/r\"\n[[faults]]\nkind = \"stall\"\n";
        let config = Config::from_toml(text, "emu.toml").unwrap();
        assert!(!config.admin && config.default_user.is_none());
        let role = &config.roles[0];
        assert!(
            role.trust.is_empty(),
            "a role in a file trusts only whom it lists"
        );
        assert!(!role.mfa_required && role.max_session_duration.is_none());
        assert_eq!(config.faults, vec![Fault::new(FaultKind::Stall)]);
        let empty = Config::from_toml("users = []\n# nothing else\n", "emu.toml").unwrap();
        assert!(empty.users.is_empty());
    }
}
