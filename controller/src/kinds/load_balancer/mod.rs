//! `LoadBalancer`: an adopted ALB's security groups, attributes (deletion protection,
//! header validation, desync mitigation, access logs) and listeners (HTTPS with a TLS 1.2+
//! policy and an ACM certificate; HTTP only as a redirect to HTTPS). Never created, never
//! deleted: a missing load balancer is reported.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use std::collections::BTreeMap;

use afu9_spec::load_balancer::LoadBalancerSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};
use crate::refs::groups::created_groups;

pub use apply::{GroupRef, LoadBalancerOp};

/// The load balancer kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadBalancers;

/// An ALB as ELB reports it, with what the plan needs to resolve names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerObserved {
    /// The load balancer's ARN (tag, attribute and listener calls take it).
    pub arn: String,
    /// `application`, `network` or `gateway`.
    pub kind: String,
    /// Its VPC.
    pub vpc_id: String,
    /// The ids of the security groups attached.
    pub security_groups: Vec<String>,
    /// Group name → id, for the groups of its VPC (read only when the manifest manages the
    /// groups).
    pub vpc_groups: BTreeMap<String, String>,
    /// Its attributes, as ELB returns them (`deletion_protection.enabled` → `"true"`).
    pub attributes: BTreeMap<String, String>,
    /// Its listeners.
    pub listeners: Vec<LiveListener>,
    /// Domain → ARNs of the `ISSUED` ACM certificates for it (newest expiry first), for the
    /// domains the manifest's listeners name.
    pub certificates: BTreeMap<String, Vec<String>>,
    /// All tags.
    pub tags: Tags,
}

/// A listener as ELB reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveListener {
    /// Its ARN.
    pub arn: String,
    /// The port.
    pub port: u16,
    /// `HTTP`, `HTTPS`, …
    pub protocol: String,
    /// The security policy (HTTPS).
    pub ssl_policy: Option<String>,
    /// The default certificate's ARN (HTTPS).
    pub certificate: Option<String>,
    /// Its default actions.
    pub actions: Vec<LiveAction>,
    /// Its response-header attributes (`routing.http.response.*`), read only for an HTTPS
    /// listener whose manifest states `responseHeaders` (and on import).
    pub attributes: BTreeMap<String, String>,
}

/// A listener's default action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveAction {
    /// A redirect, with its parts as ELB returns them.
    Redirect {
        /// Target protocol (`HTTPS`, `#{protocol}`).
        protocol: Option<String>,
        /// Target port (`443`, `#{port}`).
        port: Option<String>,
        /// Target host (`#{host}` keeps it).
        host: Option<String>,
        /// Target path (`/#{path}` keeps it).
        path: Option<String>,
        /// Target query (`#{query}` keeps it).
        query: Option<String>,
        /// `HTTP_301` or `HTTP_302`.
        status: String,
    },
    /// Any other action (`forward`, `fixed-response`, …), by type.
    Other(String),
}

impl ManagedKind for LoadBalancers {
    type Spec = LoadBalancerSpec;
    type Observed = LoadBalancerObserved;
    const SERVICE: &'static str = "ELB";
    const NOUN: &'static str = "load balancer";
    /// ELB's control plane throttles per account and region; an ALB takes 1–6 writes.
    const WRITE_LIMIT: usize = 4;

    /// The security groups it names, once created (`SetSecurityGroups` needs their ids), and
    /// the `Bucket` manifest of its access logs (ELB checks that it may write there).
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        let mut dependencies = created_groups(state, want.spec.security_groups.iter().flatten());
        dependencies.extend(
            want.spec
                .access_logs
                .as_ref()
                .and_then(|logs| crate::refs::buckets::bucket_dependency(state, &logs.bucket)),
        );
        dependencies
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
        _cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(want, have)
    }
}

impl Tagged for LoadBalancers {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(LoadBalancerOp::AddTags { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(LoadBalancerOp::RemoveTags { arn, keys })
    }
}
