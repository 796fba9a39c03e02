//! `WebAcl`: a regional WAF web ACL (default action, rate limit, AWS managed rule groups,
//! metrics), its logging, the load balancers it protects, and its tags. Created when
//! missing; never deleted. Updates carry WAF's lock token: one that meets a change made
//! since it was read is re-planned on a fresh read, never sent blind (`update.rs`).

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod rules;
mod sdk;
mod update;

use std::collections::BTreeMap;

use afu9_spec::tags::Tags;
use afu9_spec::web_acl::WebAclSpec;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::WebAclOp;
pub use rules::{AclBody, AclRule, Statement};

/// The web ACL kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebAcls;

/// A web ACL as WAF reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAclObserved {
    /// Its ARN.
    pub arn: String,
    /// Its id (update calls take name and id).
    pub id: String,
    /// The lock token of the read: an update must carry it.
    pub lock_token: String,
    /// Default action, metrics and rules.
    pub body: AclBody,
    /// The log destinations' ARNs; `None` when logging is off.
    pub logging: Option<Vec<String>>,
    /// Per `LoadBalancer` manifest named: the ALB's ARN (`None` when there is no such ALB)
    /// and the ARN of the web ACL protecting it.
    pub protects: BTreeMap<String, Protection>,
    /// All tags.
    pub tags: Tags,
}

/// What protects one load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The ALB's ARN, if it exists.
    pub alb: Option<String>,
    /// The web ACL associated with it, if any.
    pub acl: Option<String>,
}

impl ManagedKind for WebAcls {
    type Spec = WebAclSpec;
    type Observed = WebAclObserved;
    const SERVICE: &'static str = "WAF";
    const NOUN: &'static str = "web ACL";
    /// WAF's control plane allows few calls per second per account, and an ACL's writes
    /// serialise on its lock token anyway.
    const WRITE_LIMIT: usize = 2;

    /// The `LogGroup` manifest of the group its logs go to (WAF checks that it exists).
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        want.spec
            .logging
            .iter()
            .filter_map(|logging| {
                crate::refs::logs::log_group_dependency(state, logging.log_group_name())
            })
            .collect()
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx.state, want, have)
    }
}

impl Tagged for WebAcls {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(WebAclOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(WebAclOp::UntagResource { arn, keys })
    }
}
