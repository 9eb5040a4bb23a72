//! A string that holds a secret: redacted when printed, wiped on drop.

use std::fmt;

use zeroize::Zeroize;

/// A secret string (secret access key, session token, SAML assertion, web
/// identity token, …). `Debug` and `Display` print `** redacted **`; the
/// memory is zeroized when the value is dropped. Read it with
/// [`expose_secret`](Self::expose_secret).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(String);

pub(crate) const REDACTED: &str = "** redacted **";

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretString(secret.into())
    }

    /// The secret itself. Keep the borrow short and never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The length in bytes (safe to show).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = SecretString::from("wJalrXUtnFEMI");
        assert_eq!(
            format!("{s:?} {s} {s:#?}"),
            "** redacted ** ** redacted ** ** redacted **"
        );
        assert_eq!(s.expose_secret(), "wJalrXUtnFEMI");
        assert_eq!(s.clone(), SecretString::from(String::from("wJalrXUtnFEMI")));
    }
}
