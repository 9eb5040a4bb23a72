//! ARNs taken apart: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, for
//! the operations that need an ARN's partition or account.

use crate::config::is_account;

/// The parts of an ARN the emulator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub partition: &'a str,
    /// As written: [`account`](Self::account) checks it.
    account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `None` unless `s` has the six colon-separated parts of an ARN and a
    /// partition.
    pub(crate) fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(_service),
            Some(_region),
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
            account,
            resource,
        })
    }

    /// The account, when the ARN names a 12-digit one.
    pub(crate) fn account(&self) -> Option<&'a str> {
        is_account(self.account).then_some(self.account)
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
}
