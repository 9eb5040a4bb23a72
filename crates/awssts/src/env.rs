//! The process environment, injectable. Configuration is read through
//! [`Env`] so that tests pass a map instead of mutating the real environment
//! (which is `unsafe` in edition 2024 and races between test threads).

use std::collections::HashMap;
use std::sync::Arc;

/// Where environment variables are read from.
#[derive(Clone, Default)]
pub struct Env {
    map: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The real process environment.
    pub fn process() -> Self {
        Env { map: None }
    }

    /// A fixed set of variables (tests, or a sandboxed configuration).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            map: Some(Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
        }
    }

    /// The value of `name`. Empty values count as unset, as the AWS CLI
    /// treats them; a value that is not UTF-8 also counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.map {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// The home directory, as the AWS CLI finds it: `HOME`, else
    /// `USERPROFILE`.
    pub fn home(&self) -> Option<String> {
        self.get("HOME").or_else(|| self.get("USERPROFILE"))
    }
}

/// Names only: the environment holds secrets (`AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), and every provider that keeps an `Env` derives
/// `Debug`.
impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.map {
            None => f.write_str("Env(process)"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Env").field(&names).finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_env_reads_only_the_map() {
        let env = Env::from_vars([("AWS_REGION", "eu-west-1"), ("EMPTY", "  ")]);
        assert_eq!(env.get("AWS_REGION").as_deref(), Some("eu-west-1"));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.get("PATH"), None);
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", "canary-secret")]);
        let shown = format!("{env:?}");
        assert!(
            shown.contains("AWS_SECRET_ACCESS_KEY") && !shown.contains("canary"),
            "{shown}"
        );
    }
}
