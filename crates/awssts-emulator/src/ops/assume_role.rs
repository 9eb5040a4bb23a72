//! AssumeRole, and the role sessions the federation operations share.

use awssts::model::{AssumeRoleInput, AssumeRoleOutput, AssumedRoleUser};

use super::Ctx;
use super::policy::{check_arn, check_mfa, packed_policy_size, session_tags};
use crate::arn::Arn;
use crate::auth::Caller;
use crate::config::Role;
use crate::error::StsError;
use crate::session::{Kind, Session};

/// Role chaining never gives more than an hour.
const CHAINING_LIMIT: i32 = 3600;

/// The session and AssumedRoleUser of `session_name` in `role`.
pub(super) fn role_session(role: &Role, session_name: &str) -> (Session, AssumedRoleUser) {
    let partition = Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    let arn = format!(
        "arn:{partition}:sts::{}:assumed-role/{}/{session_name}",
        role.account, role.name
    );
    let user_id = format!("{}:{session_name}", role.role_id);
    let mut user = AssumedRoleUser::default();
    user.arn.clone_from(&arn);
    user.assumed_role_id.clone_from(&user_id);
    let mut session = Session::new(Kind::AssumedRole, arn, user_id, role.account.clone());
    session.role_arn = Some(role.arn.clone());
    (session, user)
}

/// Whether `role` trusts `caller`.
fn trusts(role: &Role, caller: &Caller) -> bool {
    let account = caller.account();
    let role_arn = caller.session().and_then(|s| s.role_arn.as_deref());
    role.trust.iter().any(|p| {
        p == "*"
            || p == account
            || p == caller.arn()
            || Some(p.as_str()) == role_arn
            || Arn::parse(p)
                .filter(|a| a.resource == "root")
                .and_then(|a| a.account())
                .is_some_and(|a| a == account)
    })
}

/// The session length a role grants, or STS's refusal.
pub(super) fn role_duration(
    role: &Role,
    requested: Option<i32>,
    chained: bool,
) -> Result<u32, StsError> {
    let seconds = requested.unwrap_or(3600);
    if chained && seconds > CHAINING_LIMIT {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if seconds > role.max_session_duration {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(u32::try_from(seconds).unwrap_or(3600))
}

#[allow(deprecated)] // PackedPolicySize is deprecated by STS, still sent.
pub(super) fn assume_role(
    ctx: &Ctx<'_>,
    input: AssumeRoleInput,
) -> Result<AssumeRoleOutput, StsError> {
    let caller = ctx.caller()?;
    let role_arn = input.role_arn.as_deref().unwrap_or_default();
    let session_name = input.role_session_name.as_deref().unwrap_or_default();
    check_arn(role_arn)?;
    let denied = || StsError::not_authorized(caller.arn(), "AssumeRole", role_arn);
    let role = ctx.shared.dir.role(role_arn).ok_or_else(denied)?;
    if !trusts(&role, caller) {
        return Err(denied());
    }
    if let Some(expected) = &role.external_id
        && input.external_id.as_deref() != Some(expected.as_str())
    {
        return Err(denied());
    }
    let mfa = check_mfa(
        caller,
        input.serial_number.as_deref(),
        input.token_code.as_ref(),
    )?;
    if role.mfa_required && !mfa {
        return Err(denied());
    }
    // STS counts any session's credentials as role chaining here, those of
    // an IAM user's GetSessionToken session included.
    let duration = role_duration(&role, input.duration_seconds, caller.is_session())?;
    let parent = caller.session();
    let tags = session_tags(parent, &input.tags, &input.transitive_tag_keys)?;
    let inherited_identity = parent.and_then(|s| s.source_identity.clone());
    let source_identity = match (inherited_identity, input.source_identity) {
        (Some(old), Some(new)) if old != new => {
            return Err(StsError::access_denied(format!(
                "The source identity of the calling session ({old}) cannot be changed"
            )));
        }
        (old, new) => old.or(new),
    };
    let packed = (input.policy.is_some() || !input.policy_arns.is_empty() || !tags.tags.is_empty())
        .then(|| packed_policy_size(input.policy.as_deref(), input.policy_arns.len(), &tags.tags))
        .transpose()?;

    let (mut session, user) = role_session(&role, session_name);
    session.source_identity.clone_from(&source_identity);
    session.tags = tags.tags;
    session.transitive_tag_keys = tags.transitive;
    session.mfa = mfa;
    let mut out = AssumeRoleOutput::default();
    out.credentials = Some(ctx.issue(session, duration));
    out.assumed_role_user = Some(user);
    out.packed_policy_size = packed;
    out.source_identity = source_identity;
    Ok(out)
}
