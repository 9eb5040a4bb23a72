//! Proving who you are without sending a secret: `get-caller-identity
//! --presign` prints a presigned GetCallerIdentity URL, and `eks-token`
//! wraps one in the Kubernetes `ExecCredential` that `aws eks get-token`
//! prints (the bearer token EKS clusters accept).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use awssts::credentials::assume_role::AssumeRoleProvider;
use awssts::credentials::cache::CredentialsCache;
use awssts::{Client, PresignOptions, PresignedUrl};

use crate::cli::Global;
use crate::cmdline::{Flag, Matches};
use crate::config;
use crate::error::CliError;
use crate::output::doc::{Doc, MapBuilder};
use crate::output::{self, Format, print};
use crate::runtime::runtime;

/// How long the URL inside an EKS token is valid, as the AWS CLI signs it.
const EKS_URL_EXPIRY: Duration = Duration::from_secs(60);
/// The `expirationTimestamp` kubectl refreshes at: 14 minutes, inside the
/// 15 minutes for which the cluster accepts a token.
const EKS_TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);
const EKS_TOKEN_PREFIX: &str = "k8s-aws-v1.";
const EKS_ID_HEADER: &str = "x-k8s-aws-id";
const EKS_SESSION_NAME: &str = "EKSGetTokenAuth";

const API_V1: &str = "client.authentication.k8s.io/v1";
const API_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";
const API_V1ALPHA1: &str = "client.authentication.k8s.io/v1alpha1";

/// Flags of `eks-token`.
#[derive(Debug)]
pub struct EksToken {
    pub cluster_name: Option<String>,
    pub cluster_id: Option<String>,
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
}

/// The flags; the command's table requires exactly one of the cluster's
/// name and id.
pub static EKS_TOKEN: &[Flag] = &[
    Flag::one("cluster-name", "Name of the EKS cluster the token is for"),
    Flag::one(
        "cluster-id",
        "Id of the cluster instead of its name (local clusters on AWS Outposts)",
    ),
    Flag::one(
        "role-arn",
        "Assume this role and sign the token with its credentials",
    )
    .value("ARN"),
    Flag::one(
        "session-name",
        "Session name for --role-arn (default EKSGetTokenAuth)",
    )
    .value("NAME")
    .requires("role-arn"),
];

impl EksToken {
    pub fn from_matches(m: &mut Matches) -> EksToken {
        EksToken {
            cluster_name: m.one("cluster-name"),
            cluster_id: m.one("cluster-id"),
            role_arn: m.one("role-arn"),
            session_name: m.one("session-name"),
        }
    }
}

/// A client with the usual settings, signing with the chain's credentials
/// or, with `role_arn`, with that role's.
fn signing_client(
    global: &Global,
    role: Option<(&str, &str)>,
) -> Result<(Client, Format), CliError> {
    let env = config::environment(global.profile.as_deref());
    let (builder, format) = config::client_builder(global, &env)?;
    let chain = CredentialsCache::new(config::chain(&env));
    let builder = match role {
        None => builder.credentials(chain),
        Some((arn, session)) => {
            let role = AssumeRoleProvider::builder(arn)
                .session_name(session)
                .client_builder(builder.clone())
                .build(chain)
                .map_err(|e| CliError::Config(e.to_string()))?;
            builder.credentials(role)
        }
    };
    let client = builder
        .build()
        .map_err(|e| CliError::Config(e.to_string()))?;
    Ok((client, format))
}

fn presign(client: &Client, options: &PresignOptions) -> Result<PresignedUrl, CliError> {
    let endpoint = client.endpoint().url.clone();
    runtime()?
        .block_on(client.presign_get_caller_identity(options))
        .map_err(|e| CliError::from_call(&e, &endpoint))
}

/// `awssts get-caller-identity --presign [--expires-in S]`.
pub fn presign_get_caller_identity(global: &Global, expires_in: u64) -> Result<(), CliError> {
    let (client, _) = signing_client(global, None)?;
    let url = presign(
        &client,
        &PresignOptions::new(Duration::from_secs(expires_in)),
    )?;
    print(&format!("{}\n", url.url()))
}

/// `awssts eks-token`.
pub fn eks_token(global: &Global, args: &EksToken) -> Result<(), CliError> {
    let Some(cluster) = args.cluster_name.as_deref().or(args.cluster_id.as_deref()) else {
        return Err(CliError::Usage(
            "either --cluster-name or --cluster-id must be given".to_owned(),
        ));
    };
    let query = match &global.query {
        Some(q) => Some(output::query::Query::compile(q).map_err(CliError::Usage)?),
        None => None,
    };
    let session = args.session_name.as_deref().unwrap_or(EKS_SESSION_NAME);
    let role = args.role_arn.as_deref().map(|arn| (arn, session));
    let (client, format) = signing_client(global, role)?;
    let options = PresignOptions::new(EKS_URL_EXPIRY).header(EKS_ID_HEADER, cluster);
    let url = presign(&client, &options)?;

    let env = config::environment(global.profile.as_deref());
    let api_version = api_version(env.get("KUBERNETES_EXEC_INFO").as_deref());
    if let Some(warning) = api_version.1 {
        eprintln!("{warning}");
    }
    let doc = exec_credential(
        api_version.0,
        &token(url.url()),
        expiration(SystemTime::now()),
    );
    let text = match format {
        Format::Env => {
            return Err(CliError::Usage(
                "--output env prints STS credentials; eks-token prints a token: use json or text"
                    .to_owned(),
            ));
        }
        f => output::render(&doc, f, query.as_ref()).map_err(CliError::Usage)?,
    };
    // The AWS CLI ends the document with one more newline.
    print(&format!("{text}\n"))
}

/// `k8s-aws-v1.` and the URL in unpadded base64url.
pub fn token(url: &str) -> String {
    let mut out = String::with_capacity(EKS_TOKEN_PREFIX.len() + url.len() * 4 / 3 + 4);
    out.push_str(EKS_TOKEN_PREFIX);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(url.as_bytes(), &mut out);
    out
}

/// `now` + 14 minutes as `%Y-%m-%dT%H:%M:%SZ` (whole seconds).
fn expiration(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + EKS_TOKEN_LIFETIME.as_secs();
    awssts::DateTime::from_system_time(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// The `apiVersion` the Kubernetes client asked for in
/// `KUBERNETES_EXEC_INFO`, as the AWS CLI picks it, and a warning for
/// stderr when it fell back or the version is deprecated.
fn api_version(exec_info: Option<&str>) -> (&'static str, Option<String>) {
    let fallback = API_V1BETA1;
    let Some(raw) = exec_info.filter(|r| !r.is_empty()) else {
        return (fallback, None);
    };
    let Ok(info) = serde_json::from_str::<serde_json::Value>(raw) else {
        return (
            fallback,
            Some(format!(
                "Error parsing KUBERNETES_EXEC_INFO, defaulting to {fallback}. This is likely a \
                 bug in your Kubernetes client. Please update your Kubernetes client."
            )),
        );
    };
    match info.get("apiVersion").and_then(|v| v.as_str()) {
        Some(API_V1) => (API_V1, None),
        Some(API_V1BETA1) => (API_V1BETA1, None),
        Some(API_V1ALPHA1) => (
            API_V1ALPHA1,
            Some(format!(
                "Kubeconfig user entry is using deprecated API version {API_V1ALPHA1}. Run \
                 'aws eks update-kubeconfig' to update."
            )),
        ),
        _ => (
            fallback,
            Some(format!(
                "Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to {fallback}. \
                 This is likely due to an outdated awssts. Please update awssts."
            )),
        ),
    }
}

fn exec_credential(api_version: &str, token: &str, expiration: String) -> Doc {
    let status = MapBuilder::new()
        .str("expirationTimestamp", Some(&expiration))
        .str("token", Some(token))
        .build();
    MapBuilder::new()
        .str("kind", Some("ExecCredential"))
        .str("apiVersion", Some(api_version))
        .doc("spec", Some(Doc::Map(Vec::new())))
        .doc("status", Some(status))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_without_padding() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("\u{fb}\u{ff}", "w7vDvw"),
            ("?>~", "Pz5-"),
            ("??/", "Pz8v"),
        ] {
            assert_eq!(token(input), format!("k8s-aws-v1.{want}"), "{input:?}");
        }
        assert_eq!(token("https://x/?a"), "k8s-aws-v1.aHR0cHM6Ly94Lz9h");
    }

    #[test]
    fn expiration_is_fourteen_minutes_later_in_whole_seconds() {
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_900);
        assert_eq!(expiration(now), "2023-11-14T22:27:20Z");
    }

    #[test]
    fn api_version_follows_kubernetes_exec_info() {
        assert_eq!(api_version(None), (API_V1BETA1, None));
        assert_eq!(api_version(Some("")), (API_V1BETA1, None));
        let info =
            |v: &str| format!(r#"{{"kind":"ExecCredential","apiVersion":"{v}","spec":{{}}}}"#);
        assert_eq!(api_version(Some(&info(API_V1))), (API_V1, None));
        assert_eq!(api_version(Some(&info(API_V1BETA1))), (API_V1BETA1, None));
        let (v, warning) = api_version(Some(&info(API_V1ALPHA1)));
        assert_eq!(v, API_V1ALPHA1);
        assert!(warning.unwrap().contains("deprecated"));
        let (v, warning) = api_version(Some(&info("client.authentication.k8s.io/v9")));
        assert_eq!(v, API_V1BETA1);
        assert!(warning.unwrap().starts_with("Unrecognized API version"));
        let (v, warning) = api_version(Some("{not json"));
        assert_eq!(v, API_V1BETA1);
        assert!(warning.unwrap().starts_with("Error parsing"));
    }

    #[test]
    fn exec_credential_is_the_aws_cli_document() {
        let doc = exec_credential(API_V1BETA1, "k8s-aws-v1.abc", "2023-11-14T22:27:20Z".into());
        assert_eq!(
            doc.to_json_pretty(),
            "{\n    \"kind\": \"ExecCredential\",\n    \"apiVersion\": \"client.authentication.k8s.io/v1beta1\",\n    \
             \"spec\": {},\n    \"status\": {\n        \"expirationTimestamp\": \"2023-11-14T22:27:20Z\",\n        \
             \"token\": \"k8s-aws-v1.abc\"\n    }\n}\n"
        );
    }
}
