//! The shared config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`), read as the AWS CLI reads them.
//!
//! [`ProfileSet::load`] reads both files (paths from `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`, missing files are empty) and merges them:
//! in the config file profiles are `[default]` and `[profile name]`, in the
//! credentials file every `[name]` is a profile, and the credentials file wins
//! key by key. `[sso-session name]` and `[services name]` sections of the
//! config file are kept apart. Other config sections (`[plugins]`,
//! `[preview]`) are checked for syntax and otherwise ignored.
//!
//! Every value remembers the file and line it came from, so the typed
//! accessors ([`Profile::max_attempts`] and friends) report a bad value as
//! `path:line: profile "dev": max_attempts = "x" ...`.

mod builder;
mod parse;
mod provider;
mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use provider::{ProfileProvider, ProfileSources};
pub use settings::StsRegionalEndpoints;

use super::{Credentials, CredentialsError};
use crate::env::Env;

/// The provider name in errors and in [`Credentials::provider_name`].
const PROVIDER: &str = "profile";

/// Why the shared files could not be read, or a setting in them is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A file exists but could not be read.
    #[error(
        "cannot read {path}: {source}; fix its permissions or point {variable} at another file"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The variable that names the file.
        variable: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of a file is malformed.
    #[error("{path}:{line}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// A path variable starts with `~` and no home directory is known.
    #[error(
        "{variable} starts with `~` but neither HOME nor USERPROFILE is set; give an absolute path"
    )]
    NoHome {
        /// The variable holding the path.
        variable: &'static str,
    },
    /// A setting holds a value that cannot be used.
    #[error("{origin}: profile {profile:?}: {key} = {value:?} is not valid; it must be {expected}")]
    InvalidSetting {
        /// `path:line` of the value.
        origin: Origin,
        /// The profile (or `sso-session`/`services` section) name.
        profile: String,
        /// The key, `parent.child` for a sub-section key.
        key: String,
        /// The value (typed settings never hold secrets).
        value: String,
        /// What it must be.
        expected: &'static str,
    },
    /// A profile refers to a section that does not exist.
    #[error(
        "{origin}: profile {profile:?} has {key} = {name:?}, but there is no [{kind} {name}] section; add one or remove the key"
    )]
    MissingSection {
        /// `path:line` of the referring key.
        origin: Origin,
        /// The profile.
        profile: String,
        /// The referring key (`services`, `sso_session`).
        key: &'static str,
        /// The kind of section looked for (`services`, `sso-session`).
        kind: &'static str,
        /// The section name.
        name: String,
    },
    /// The requested profile is in neither file.
    #[error(
        "profile {name:?} is not defined in {files}; add it, or choose another with AWS_PROFILE"
    )]
    ProfileNotFound {
        /// The profile asked for.
        name: String,
        /// The files that were read.
        files: String,
    },
    /// An environment variable that overrides a profile setting is invalid.
    #[error("environment variable {name} is {value:?}, but it must be {expected}")]
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        expected: &'static str,
    },
}

/// Where a value was read: a file and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    file: Arc<str>,
    line: usize,
}

impl Origin {
    /// The file's path as it was opened (or `<config>`/`<credentials>` for
    /// text given to [`ProfileSet::parse`]).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line number.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One key's value and where it came from.
#[derive(Clone)]
struct Property {
    value: String,
    sub: Option<SubSection>,
    origin: Origin,
}

/// The nested `key = value` lines under an empty property such as `s3 =`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SubSection {
    values: BTreeMap<String, String>,
}

impl SubSection {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Every key and value, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl fmt::Debug for SubSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values.iter().map(|(k, v)| (k, shown(k, v))))
            .finish()
    }
}

/// A profile: the merged keys of its sections in both files. Also used for
/// `[sso-session name]` and `[services name]` sections.
#[derive(Clone)]
pub struct Profile {
    name: String,
    properties: BTreeMap<String, Property>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Values<'a>(&'a BTreeMap<String, Property>);
        impl fmt::Debug for Values<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut m = f.debug_map();
                for (k, p) in self.0 {
                    match &p.sub {
                        Some(sub) => m.entry(k, sub),
                        None => m.entry(k, &shown(k, &p.value)),
                    };
                }
                m.finish()
            }
        }
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("properties", &Values(&self.properties))
            .finish()
    }
}

/// A value as `Debug` shows it: secrets (keys naming a secret or a token)
/// are redacted, and so is `credential_process`, whose command line often
/// carries a password manager's session.
fn shown<'a>(key: &str, value: &'a str) -> &'a str {
    if key.contains("secret") || key.contains("token") || key == "credential_process" {
        "** redacted **"
    } else {
        value
    }
}

impl Profile {
    fn new(name: &str) -> Self {
        Profile {
            name: name.to_owned(),
            properties: BTreeMap::new(),
        }
    }

    /// The profile's (or section's) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of a top-level `key` (keys are lower-case). A key that only
    /// opens a sub-section has the empty value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(|p| p.value.as_str())
    }

    /// The nested sub-section under `key` (as in `s3 =` followed by indented
    /// lines).
    pub fn sub_section(&self, key: &str) -> Option<&SubSection> {
        self.properties.get(key).and_then(|p| p.sub.as_ref())
    }

    /// Where `key` was read.
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.properties.get(key).map(|p| &p.origin)
    }

    /// Every top-level key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }

    /// Static keys from `aws_access_key_id` and `aws_secret_access_key`
    /// (with `aws_session_token`, or the older `aws_security_token`, and
    /// `aws_account_id`). `None` when the profile has neither key; an
    /// invalid-configuration error when it has only one of them.
    pub fn static_credentials(&self) -> Option<Result<Credentials, CredentialsError>> {
        let akid = self.get("aws_access_key_id");
        let secret = self.get("aws_secret_access_key");
        let (akid, secret) = match (akid, secret) {
            (None, None) => return None,
            (Some(a), Some(s)) => (a, s),
            (Some(_), None) => {
                return Some(Err(
                    self.half_pair("aws_access_key_id", "aws_secret_access_key")
                ));
            }
            (None, Some(_)) => {
                return Some(Err(
                    self.half_pair("aws_secret_access_key", "aws_access_key_id")
                ));
            }
        };
        let token = self
            .get("aws_session_token")
            .or_else(|| self.get("aws_security_token"))
            .filter(|t| !t.is_empty());
        let creds = Credentials::new(akid, secret, token.map(str::to_owned), None, PROVIDER);
        Some(match self.aws_account_id() {
            Ok(Some(account)) => Ok(creds.with_account_id(account)),
            Ok(None) => Ok(creds),
            Err(e) => Err(CredentialsError::invalid_configuration(
                PROVIDER,
                e.to_string(),
            )),
        })
    }

    fn half_pair(&self, present: &str, missing: &str) -> CredentialsError {
        let at = self
            .origin(present)
            .map(|o| format!("{o}: "))
            .unwrap_or_default();
        CredentialsError::invalid_configuration(
            PROVIDER,
            format!(
                "{at}profile {:?} has {present} but no {missing}; add {missing} or remove {present}",
                self.name
            ),
        )
    }

    fn merge(&mut self, other: Profile) {
        self.properties.extend(other.properties);
    }
}

/// Both shared files, parsed and merged.
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Profile>,
    services: BTreeMap<String, Profile>,
    files: Vec<String>,
}

/// Which of the two files a text is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

impl ProfileSet {
    /// Reads `AWS_CONFIG_FILE` (default `~/.aws/config`) and
    /// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`). A file
    /// that does not exist counts as empty; one that cannot be read or parsed
    /// is an error naming it.
    pub fn load(env: &Env) -> Result<ProfileSet, ProfileError> {
        let config = file_path(env, "AWS_CONFIG_FILE", "config")?;
        let credentials = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")?;
        let config_text = read_optional(config.as_deref(), "AWS_CONFIG_FILE")?;
        let credentials_text =
            read_optional(credentials.as_deref(), "AWS_SHARED_CREDENTIALS_FILE")?;
        let name = |p: &Option<PathBuf>, fallback: &str| match p {
            Some(p) => p.display().to_string(),
            None => fallback.to_owned(),
        };
        ProfileSet::from_texts(
            (
                &name(&config, "~/.aws/config"),
                config_text.as_deref().unwrap_or(""),
            ),
            (
                &name(&credentials, "~/.aws/credentials"),
                credentials_text.as_deref().unwrap_or(""),
            ),
        )
    }

    /// Parses the two files' texts (for tests, or files read elsewhere).
    /// Errors and origins call them `<config>` and `<credentials>`.
    pub fn parse(config: &str, credentials: &str) -> Result<ProfileSet, ProfileError> {
        ProfileSet::from_texts(("<config>", config), ("<credentials>", credentials))
    }

    fn from_texts(
        config: (&str, &str),
        credentials: (&str, &str),
    ) -> Result<ProfileSet, ProfileError> {
        let mut set = ProfileSet {
            files: vec![config.0.to_owned(), credentials.0.to_owned()],
            ..ProfileSet::default()
        };
        set.add(config.0, config.1, FileKind::Config)?;
        set.add(credentials.0, credentials.1, FileKind::Credentials)?;
        Ok(set)
    }

    fn add(&mut self, path: &str, text: &str, kind: FileKind) -> Result<(), ProfileError> {
        let sections = parse::parse(text).map_err(|e| ProfileError::Parse {
            path: path.to_owned(),
            line: e.line,
            reason: e.reason,
        })?;
        let file: Arc<str> = Arc::from(path);
        // `[profile default]` beats `[default]` in the config file wherever
        // they appear, so it is merged last.
        let mut profile_default = Vec::new();
        for section in sections {
            if kind == FileKind::Config
                && matches!(
                    section.header.as_str(),
                    "profile" | "sso-session" | "services"
                )
            {
                return Err(ProfileError::Parse {
                    path: path.to_owned(),
                    line: section.line,
                    reason: format!(
                        "a [{}] header with no name; write [{} name]",
                        section.header, section.header
                    ),
                });
            }
            let (target, name) = match kind {
                FileKind::Credentials => (&mut self.profiles, section.header.clone()),
                FileKind::Config => match classify(&section.header) {
                    Some((ConfigSection::Profile, name))
                        if name == "default" && section.header != "default" =>
                    {
                        profile_default.push(section);
                        continue;
                    }
                    Some((ConfigSection::Profile, name)) => (&mut self.profiles, name),
                    Some((ConfigSection::SsoSession, name)) => (&mut self.sso_sessions, name),
                    Some((ConfigSection::Services, name)) => (&mut self.services, name),
                    None => continue,
                },
            };
            let built = build(&name, section, &file);
            target
                .entry(name.clone())
                .or_insert_with(|| Profile::new(&name))
                .merge(built);
        }
        for section in profile_default {
            let built = build("default", section, &file);
            self.profiles
                .entry("default".to_owned())
                .or_insert_with(|| Profile::new("default"))
                .merge(built);
        }
        Ok(())
    }

    /// The profile to use: `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then
    /// `default`.
    pub fn selected_profile(env: &Env) -> String {
        env.get("AWS_PROFILE")
            .or_else(|| env.get("AWS_DEFAULT_PROFILE"))
            .map(|p| p.trim().to_owned())
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The profile `name`, if either file defines it.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The profile `name`, or an error naming the files that were read.
    pub fn require_profile(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.profiles
            .get(name)
            .ok_or_else(|| ProfileError::ProfileNotFound {
                name: name.to_owned(),
                files: self.files.join(" and "),
            })
    }

    /// The `[sso-session name]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// The `[services name]` section.
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// Every profile name, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The STS endpoint from the profile's services section: `services =
    /// name` in the profile, then `[services name]`, then its `sts =`
    /// sub-section's `endpoint_url`.
    pub fn sts_endpoint_url<'a>(
        &'a self,
        profile: &'a Profile,
    ) -> Result<Option<&'a str>, ProfileError> {
        let Some(name) = profile.get("services").filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        let Some(services) = self.services.get(name) else {
            return Err(ProfileError::MissingSection {
                origin: profile
                    .origin("services")
                    .cloned()
                    .unwrap_or_else(|| Origin {
                        file: Arc::from(""),
                        line: 0,
                    }),
                profile: profile.name.clone(),
                key: "services",
                kind: "services",
                name: name.to_owned(),
            });
        };
        let Some(url) = services
            .sub_section("sts")
            .and_then(|s| s.get("endpoint_url"))
        else {
            return Ok(None);
        };
        settings::check_url(services, "sts.endpoint_url", url)?;
        Ok(Some(url))
    }
}

enum ConfigSection {
    Profile,
    SsoSession,
    Services,
}

/// Sorts a config-file header into its kind and name; `None` for sections
/// that are not ours (`[plugins]`, `[x]` without the `profile` prefix).
fn classify(header: &str) -> Option<(ConfigSection, String)> {
    if header == "default" {
        return Some((ConfigSection::Profile, "default".to_owned()));
    }
    let (prefix, rest) = header.split_once([' ', '\t'])?;
    let name = rest.trim().to_owned();
    match prefix {
        "profile" => Some((ConfigSection::Profile, name)),
        "sso-session" => Some((ConfigSection::SsoSession, name)),
        "services" => Some((ConfigSection::Services, name)),
        _ => None,
    }
}

fn build(name: &str, section: parse::RawSection, file: &Arc<str>) -> Profile {
    let mut profile = Profile::new(name);
    for p in section.properties {
        let sub = if p.value.is_empty() && !p.sub.is_empty() {
            Some(SubSection {
                values: p.sub.into_iter().collect(),
            })
        } else {
            None
        };
        profile.properties.insert(
            p.key,
            Property {
                value: p.value,
                sub,
                origin: Origin {
                    file: Arc::clone(file),
                    line: p.line,
                },
            },
        );
    }
    profile
}

/// The path a variable names (or the default under the home directory),
/// with a leading `~` expanded. `None` when the default applies and no home
/// directory is known: there is then no file to read.
fn file_path(
    env: &Env,
    variable: &'static str,
    default_name: &str,
) -> Result<Option<PathBuf>, ProfileError> {
    let home = env.home();
    match env.get(variable) {
        Some(path) => {
            let path = path.trim();
            let rest = if path == "~" {
                Some("")
            } else {
                path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"))
            };
            match rest {
                None => Ok(Some(PathBuf::from(path))),
                Some(rest) => match home {
                    Some(home) => Ok(Some(Path::new(&home).join(rest))),
                    None => Err(ProfileError::NoHome { variable }),
                },
            }
        }
        None => Ok(home.map(|h| Path::new(&h).join(".aws").join(default_name))),
    }
}

fn read_optional(
    path: Option<&Path>,
    variable: &'static str,
) -> Result<Option<String>, ProfileError> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ProfileError::Read {
                path: path.to_owned(),
                variable,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "it is not UTF-8 text",
                ),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ProfileError::Read {
            path: path.to_owned(),
            variable,
            source,
        }),
    }
}
