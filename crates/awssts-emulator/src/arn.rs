//! ARNs taken apart: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, for
//! the operations that need an ARN's partition or account, and the IAM
//! user and role ARNs the configuration declares.

use crate::config::is_account;

/// The parts of an ARN the emulator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub partition: &'a str,
    service: &'a str,
    region: &'a str,
    /// As written: [`account`](Self::account) checks it.
    account: &'a str,
    pub resource: &'a str,
}

/// A role ARN taken apart: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RoleArn<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

/// A user ARN taken apart: `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`, or
/// the account's root user, `arn:PARTITION:iam::ACCOUNT:root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserArn<'a> {
    pub account: &'a str,
    pub root: bool,
}

impl<'a> Arn<'a> {
    /// `None` unless `s` has the six colon-separated parts of an ARN and a
    /// partition.
    pub(crate) fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        (!partition.is_empty()).then_some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The account, when the ARN names a 12-digit one.
    pub(crate) fn account(&self) -> Option<&'a str> {
        is_account(self.account).then_some(self.account)
    }

    /// The account of an IAM ARN (service `iam`, no region) of a 12-digit
    /// account.
    fn iam_account(&self) -> Option<&'a str> {
        if self.service == "iam" && self.region.is_empty() {
            self.account()
        } else {
            None
        }
    }

    /// `None` unless `s` is a role ARN with a name.
    pub(crate) fn role(s: &'a str) -> Option<RoleArn<'a>> {
        let arn = Arn::parse(s)?;
        let account = arn.iam_account()?;
        let path = arn.resource.strip_prefix("role/")?;
        let name = path.rsplit('/').next().unwrap_or(path);
        (!name.is_empty()).then_some(RoleArn {
            partition: arn.partition,
            account,
            name,
        })
    }

    /// `None` unless `s` is a user ARN with a name, or a root ARN.
    pub(crate) fn user(s: &'a str) -> Option<UserArn<'a>> {
        let arn = Arn::parse(s)?;
        let account = arn.iam_account()?;
        let root = arn.resource == "root";
        let user = arn
            .resource
            .strip_prefix("user/")
            .is_some_and(|n| !n.is_empty() && !n.ends_with('/'));
        (root || user).then_some(UserArn { account, root })
    }
}

/// The 12-digit account `arn` belongs to.
pub(crate) fn account_of(arn: &str) -> Option<&str> {
    Arn::parse(arn)?.account()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_accounts() {
        let a = Arn::parse("arn:aws-cn:iam::111122223333:role/path/x").unwrap();
        assert_eq!(a.partition, "aws-cn");
        assert_eq!(a.account(), Some("111122223333"));
        assert_eq!(a.resource, "role/path/x");
        // The resource keeps its colons.
        let p = Arn::parse("arn:aws:sts::123456789012:assumed-role/r/s:x").unwrap();
        assert_eq!(p.resource, "assumed-role/r/s:x");
        assert_eq!(account_of("arn:aws:iam::aws:policy/root-task/X"), None);
        for bad in [
            "",
            "arn:aws:iam::123456789012",
            "arn::iam::123456789012:root",
            "urn:aws:iam::123456789012:root",
            "123456789012",
        ] {
            assert_eq!(account_of(bad), None, "{bad}");
        }
        assert_eq!(
            account_of("arn:aws:iam::123456789012:saml-provider/corp"),
            Some("123456789012")
        );
    }

    #[test]
    fn roles() {
        assert_eq!(
            Arn::role("arn:aws-cn:iam::111122223333:role/path/to/deploy"),
            Some(RoleArn {
                partition: "aws-cn",
                account: "111122223333",
                name: "deploy",
            })
        );
        assert_eq!(
            Arn::role("arn:aws:iam::111122223333:role/x").map(|r| r.name),
            Some("x")
        );
        for bad in [
            "arn:aws:iam::111122223333:role/",
            "arn:aws:iam::111122223333:role/path/",
            "arn:aws:iam::111122223333:user/x",
            "arn:aws:sts::111122223333:role/x",
            "arn:aws:iam:us-east-1:111122223333:role/x",
            "arn:aws:iam::1:role/x",
            "arn::iam::111122223333:role/x",
            "arn:aws:iam::111122223333",
        ] {
            assert_eq!(Arn::role(bad), None, "{bad}");
        }
    }

    #[test]
    fn users() {
        assert_eq!(
            Arn::user("arn:aws:iam::111122223333:user/team/alice"),
            Some(UserArn {
                account: "111122223333",
                root: false,
            })
        );
        assert_eq!(
            Arn::user("arn:aws-us-gov:iam::111122223333:root"),
            Some(UserArn {
                account: "111122223333",
                root: true,
            })
        );
        for bad in [
            "arn:aws:iam::111122223333:user/",
            "arn:aws:iam::111122223333:user/team/",
            "arn:aws:iam::111122223333:role/x",
            "arn:aws:iam::111122223333:rootx",
            "arn:aws:sts::111122223333:user/x",
            "arn:aws:iam:eu-west-1:111122223333:user/x",
            "arn:aws:iam::11112222333x:user/x",
            "arn::iam::111122223333:root",
        ] {
            assert_eq!(Arn::user(bad), None, "{bad}");
        }
    }
}
