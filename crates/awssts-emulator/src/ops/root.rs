//! AssumeRoot: a short root session in a member account, for callers in the
//! organization's management account.
//!
//! STS allows it only for privileged root tasks; the emulator checks the
//! parts a client can get wrong: the caller is in the management account
//! (the built-in account unless the configuration names another), the
//! target is another account, the task policy is one of AWS's
//! `root-task/` managed policies, and the session lasts at most 900 s.

use awssts::model::{AssumeRootInput, AssumeRootOutput};

use super::Ctx;
use crate::config::is_account;
use crate::error::StsError;
use crate::session::{Kind, Session};

const MAX_DURATION: i32 = 900;

pub(super) fn assume_root(
    ctx: &Ctx<'_>,
    input: AssumeRootInput,
) -> Result<AssumeRootOutput, StsError> {
    let caller = ctx.caller()?;
    let target = input.target_principal.as_deref().unwrap_or_default();
    let account = if is_account(target) {
        target.to_owned()
    } else {
        match crate::arn::account_of(target) {
            Some(a) => a.to_owned(),
            None => {
                return Err(StsError::validation(format!(
                    "TargetPrincipal {} is invalid: use a 12-digit account id",
                    crate::request::clip(target, 64)
                )));
            }
        }
    };
    let task_policy = input
        .task_policy_arn
        .as_ref()
        .and_then(|p| p.arn.as_deref())
        .unwrap_or_default();
    let management = &ctx.shared.dir.management_account;
    if caller.account() != management || account == *management {
        return Err(StsError::not_authorized(caller.arn(), "AssumeRoot", target));
    }
    if !task_policy
        .split_once(":policy/root-task/")
        .is_some_and(|(head, name)| {
            head.starts_with("arn:") && head.ends_with(":iam::aws") && !name.is_empty()
        })
    {
        return Err(StsError::validation(format!(
            "The TaskPolicyArn {} is not a root task policy: use an AWS managed policy under arn:aws:iam::aws:policy/root-task/",
            crate::request::clip(task_policy, 128)
        )));
    }
    let seconds = input
        .duration_seconds
        .unwrap_or(MAX_DURATION)
        .clamp(1, MAX_DURATION);
    let session = Session::new(
        Kind::RootSession,
        format!("arn:aws:iam::{account}:root"),
        account.clone(),
        account,
    );
    let mut out = AssumeRootOutput::default();
    out.credentials = Some(ctx.issue(session, u32::try_from(seconds).unwrap_or(900)));
    Ok(out)
}
