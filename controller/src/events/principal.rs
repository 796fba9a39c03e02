//! Who made a call: the controller itself, or someone else.
//!
//! STS `GetCallerIdentity` names the controller as an IAM user
//! (`arn:aws:iam::123456789012:user/ops/afu9`) or, on ECS and everywhere else that assumes a
//! role, as a session of it (`arn:aws:sts::123456789012:assumed-role/afu9-controller/<task>`).
//! A session's name changes as its credentials rotate, so a role is matched by account and
//! role name, through the event's `sessionContext.sessionIssuer.arn`
//! (`arn:aws:iam::123456789012:role/path/afu9-controller`) or its own session ARN. Anyone
//! else assuming the controller's role is the controller as far as events go: that role is
//! for the controller alone.

use super::CloudTrailEvent;
use super::string_at;

/// The controller's own principal, from its caller ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Credentials of an assumed role: any session of the role is the controller.
    Role {
        /// The role's account.
        account: String,
        /// The role's name (no path: a session ARN carries none).
        name: String,
    },
    /// Any other principal (an IAM user, the root user): matched by its exact ARN.
    Exact(String),
}

impl Principal {
    /// The principal behind the caller ARN `arn`.
    pub fn from_caller_arn(arn: &str) -> Self {
        match assumed_role(arn) {
            Some((account, name)) => Self::Role {
                account: account.to_owned(),
                name: name.to_owned(),
            },
            None => Self::Exact(arn.to_owned()),
        }
    }

    /// Whether `event` is a call this principal made.
    pub fn made(&self, event: &CloudTrailEvent) -> bool {
        let identity = |path: &[&str]| {
            let mut full = vec!["userIdentity"];
            full.extend_from_slice(path);
            string_at(&event.detail, &full)
        };
        match self {
            Self::Exact(arn) => identity(&["arn"]) == Some(arn.as_str()),
            Self::Role { account, name } => {
                let session = identity(&["arn"]).and_then(assumed_role);
                let issuer = identity(&["sessionContext", "sessionIssuer", "arn"]).and_then(role);
                [session, issuer]
                    .into_iter()
                    .flatten()
                    .any(|(a, n)| a == account && n == name)
            }
        }
    }
}

/// The account and role name of an assumed-role session ARN.
fn assumed_role(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (service, account, resource) = (parts.nth(2)?, parts.nth(1)?, parts.next()?);
    let mut resource = resource.split('/');
    (service == "sts" && resource.next()? == "assumed-role")
        .then_some(())
        .and_then(|()| Some((account, resource.next()?)))
}

/// The account and role name (path left out) of a role ARN.
fn role(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (service, account, resource) = (parts.nth(2)?, parts.nth(1)?, parts.next()?);
    let path = resource.strip_prefix("role/")?;
    (service == "iam").then(|| (account, path.rsplit('/').next().unwrap_or(path)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(identity: &serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.ec2".to_owned(),
            name: "RevokeSecurityGroupIngress".to_owned(),
            time: None,
            detail: json!({"userIdentity": identity}),
        }
    }

    fn session(role_arn: &str, session_arn: &str) -> CloudTrailEvent {
        event(&json!({
            "type": "AssumedRole",
            "arn": session_arn,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role_arn}},
        }))
    }

    #[test]
    fn an_assumed_role_is_matched_by_role_whatever_the_session() {
        let me = Principal::from_caller_arn(
            "arn:aws:sts::111122223333:assumed-role/afu9-controller/task-1",
        );
        assert!(me.made(&session(
            "arn:aws:iam::111122223333:role/service/afu9-controller",
            "arn:aws:sts::111122223333:assumed-role/afu9-controller/task-2",
        )));
        assert!(me.made(&event(&json!({
            "arn": "arn:aws:sts::111122223333:assumed-role/afu9-controller/task-1"
        }))));
        assert!(!me.made(&session(
            "arn:aws:iam::111122223333:role/afu9-controller-readonly",
            "arn:aws:sts::111122223333:assumed-role/afu9-controller-readonly/x",
        )));
        assert!(!me.made(&session(
            "arn:aws:iam::444455556666:role/afu9-controller",
            "arn:aws:sts::444455556666:assumed-role/afu9-controller/task-1",
        )));
        assert!(!me.made(&event(
            &json!({"arn": "arn:aws:iam::111122223333:user/alice"})
        )));
    }

    #[test]
    fn a_user_is_matched_by_its_exact_arn() {
        let me = Principal::from_caller_arn("arn:aws:iam::111122223333:user/ops/afu9");
        assert!(me.made(&event(
            &json!({"arn": "arn:aws:iam::111122223333:user/ops/afu9"})
        )));
        assert!(!me.made(&event(
            &json!({"arn": "arn:aws:iam::111122223333:user/ops/afu99"})
        )));
        assert!(!me.made(&event(&json!({}))));
    }
}
