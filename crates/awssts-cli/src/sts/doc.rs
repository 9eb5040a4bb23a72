//! Each operation's output as the JSON document the AWS CLI prints: the
//! model's member names, in the model's order, absent members left out,
//! timestamps in ISO 8601 with a `+00:00` offset.

#![allow(deprecated)] // PackedPolicySize is deprecated by STS but still printed.

use awssts::metadata::ResponseMetadata;
use awssts::model::{
    AssumeRoleOutput, AssumeRoleWithSAMLOutput, AssumeRoleWithWebIdentityOutput, AssumeRootOutput,
    AssumedRoleUser, Credentials, DecodeAuthorizationMessageOutput, FederatedUser,
    GetAccessKeyInfoOutput, GetCallerIdentityOutput, GetDelegatedAccessTokenOutput,
    GetFederationTokenOutput, GetSessionTokenOutput, GetWebIdentityTokenOutput,
};

use crate::output::doc::{Doc, MapBuilder, timestamp};

/// An operation's output as a document, plus what `--output env` and
/// `--debug` need from it.
pub trait ToDoc {
    fn to_doc(&self) -> Doc;
    fn credentials(&self) -> Option<&Credentials> {
        None
    }
    fn metadata(&self) -> &ResponseMetadata;
}

fn credentials(c: &Option<Credentials>) -> Option<Doc> {
    c.as_ref().map(|c| {
        MapBuilder::new()
            .str("AccessKeyId", Some(&c.access_key_id))
            .str("SecretAccessKey", Some(c.secret_access_key.expose_secret()))
            .str("SessionToken", Some(c.session_token.expose_secret()))
            .str("Expiration", Some(&timestamp(c.expiration)))
            .build()
    })
}

fn assumed_role_user(u: &Option<AssumedRoleUser>) -> Option<Doc> {
    u.as_ref().map(|u| {
        MapBuilder::new()
            .str("AssumedRoleId", Some(&u.assumed_role_id))
            .str("Arn", Some(&u.arn))
            .build()
    })
}

fn federated_user(u: &Option<FederatedUser>) -> Option<Doc> {
    u.as_ref().map(|u| {
        MapBuilder::new()
            .str("FederatedUserId", Some(&u.federated_user_id))
            .str("Arn", Some(&u.arn))
            .build()
    })
}

macro_rules! with_credentials {
    () => {
        fn credentials(&self) -> Option<&Credentials> {
            self.credentials.as_ref()
        }
    };
}

macro_rules! metadata {
    () => {
        fn metadata(&self) -> &ResponseMetadata {
            &self.metadata
        }
    };
}

impl ToDoc for AssumeRoleOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .doc(
                "AssumedRoleUser",
                assumed_role_user(&self.assumed_role_user),
            )
            .int("PackedPolicySize", self.packed_policy_size)
            .str("SourceIdentity", self.source_identity.as_deref())
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for AssumeRoleWithSAMLOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .doc(
                "AssumedRoleUser",
                assumed_role_user(&self.assumed_role_user),
            )
            .int("PackedPolicySize", self.packed_policy_size)
            .str("Subject", self.subject.as_deref())
            .str("SubjectType", self.subject_type.as_deref())
            .str("Issuer", self.issuer.as_deref())
            .str("Audience", self.audience.as_deref())
            .str("NameQualifier", self.name_qualifier.as_deref())
            .str("SourceIdentity", self.source_identity.as_deref())
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for AssumeRoleWithWebIdentityOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .str(
                "SubjectFromWebIdentityToken",
                self.subject_from_web_identity_token.as_deref(),
            )
            .doc(
                "AssumedRoleUser",
                assumed_role_user(&self.assumed_role_user),
            )
            .int("PackedPolicySize", self.packed_policy_size)
            .str("Provider", self.provider.as_deref())
            .str("Audience", self.audience.as_deref())
            .str("SourceIdentity", self.source_identity.as_deref())
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for AssumeRootOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .str("SourceIdentity", self.source_identity.as_deref())
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for DecodeAuthorizationMessageOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .str("DecodedMessage", self.decoded_message.as_deref())
            .build()
    }
    metadata!();
}

impl ToDoc for GetAccessKeyInfoOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .str("Account", self.account.as_deref())
            .build()
    }
    metadata!();
}

impl ToDoc for GetCallerIdentityOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .str("UserId", self.user_id.as_deref())
            .str("Account", self.account.as_deref())
            .str("Arn", self.arn.as_deref())
            .build()
    }
    metadata!();
}

impl ToDoc for GetDelegatedAccessTokenOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .int("PackedPolicySize", self.packed_policy_size)
            .str("AssumedPrincipal", self.assumed_principal.as_deref())
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for GetFederationTokenOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .doc("FederatedUser", federated_user(&self.federated_user))
            .int("PackedPolicySize", self.packed_policy_size)
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for GetSessionTokenOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .doc("Credentials", credentials(&self.credentials))
            .int("SessionTokenUtilization", self.session_token_utilization)
            .int("SessionTokenSize", self.session_token_size)
            .build()
    }
    with_credentials!();
    metadata!();
}

impl ToDoc for GetWebIdentityTokenOutput {
    fn to_doc(&self) -> Doc {
        MapBuilder::new()
            .str(
                "WebIdentityToken",
                self.web_identity_token.as_ref().map(|t| t.expose_secret()),
            )
            .str("Expiration", self.expiration.map(timestamp).as_deref())
            .build()
    }
    metadata!();
}
