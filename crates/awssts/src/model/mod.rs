//! Every STS operation's input and output, the shapes they share, the
//! service's modeled errors, and validation of the model's constraints.
//!
//! The types are generated from the STS model by `awssts-codegen`: one
//! module per operation (`AssumeRoleInput`, `AssumeRoleOutput`, …), shared
//! structures ([`Credentials`], [`Tag`], …) and [`ServiceErrorKind`].
//!
//! Inputs are built with chainable setters and checked with
//! [`Operation::validate`](crate::protocol::Operation::validate) before they
//! are sent:
//!
//! ```
//! use awssts::model::{AssumeRoleInput, Tag};
//! use awssts::protocol::Operation;
//!
//! let input = AssumeRoleInput::default()
//!     .role_arn("arn:aws:iam::123456789012:role/demo")
//!     .role_session_name("bad name")
//!     .tags(Tag::new("Project", "Unicorn"));
//! let err = input.validate().unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "AssumeRole: RoleSessionName is invalid: character ' ' at position 3 is not allowed \
//!      (allowed: letters, digits, _ and +=,.@-)"
//! );
//! ```

use std::fmt;

mod assume_role;
mod assume_role_with_saml;
mod assume_role_with_web_identity;
mod assume_root;
mod decode_authorization_message;
mod errors;
mod get_access_key_info;
mod get_caller_identity;
mod get_delegated_access_token;
mod get_federation_token;
mod get_session_token;
mod get_web_identity_token;
mod patterns;
pub(crate) mod shapes;
pub(crate) mod validate;

pub use assume_role::{AssumeRoleInput, AssumeRoleOutput};
pub use assume_role_with_saml::{AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput};
pub use assume_role_with_web_identity::{
    AssumeRoleWithWebIdentityInput, AssumeRoleWithWebIdentityOutput,
};
pub use assume_root::{AssumeRootInput, AssumeRootOutput};
pub use decode_authorization_message::{
    DecodeAuthorizationMessageInput, DecodeAuthorizationMessageOutput,
};
pub use errors::ServiceErrorKind;
pub use get_access_key_info::{GetAccessKeyInfoInput, GetAccessKeyInfoOutput};
pub use get_caller_identity::{GetCallerIdentityInput, GetCallerIdentityOutput};
pub use get_delegated_access_token::{GetDelegatedAccessTokenInput, GetDelegatedAccessTokenOutput};
pub use get_federation_token::{GetFederationTokenInput, GetFederationTokenOutput};
pub use get_session_token::{GetSessionTokenInput, GetSessionTokenOutput};
pub use get_web_identity_token::{GetWebIdentityTokenInput, GetWebIdentityTokenOutput};
pub use shapes::{
    AssumedRoleUser, Credentials, FederatedUser, PolicyDescriptorType, ProvidedContext, Tag,
};

/// An input that breaks one of the model's constraints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The operation, e.g. `AssumeRole`.
    pub operation: &'static str,
    /// The member, by its model name; list items are indexed from 0
    /// (`Tags[2].Key`).
    pub field: String,
    /// The constraint broken.
    pub rule: Rule,
    /// What is wrong, as a predicate on the field (`is required`,
    /// `must be at least 900, got 60`, …). Secret values are never echoed.
    pub problem: String,
}

/// A model constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The member must be set (a list must be non-empty).
    Required,
    /// At least this many characters (Unicode scalar values).
    MinLength(u64),
    /// At most this many characters.
    MaxLength(u64),
    /// At least this many list items.
    MinItems(u64),
    /// At most this many list items.
    MaxItems(u64),
    /// At least this value.
    Min(i64),
    /// At most this value.
    Max(i64),
    /// Every character must be in the model's character class (given).
    Pattern(&'static str),
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {}", self.operation, self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}
