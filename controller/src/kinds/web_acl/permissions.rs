//! The IAM actions of `WebAcl`: the list on `*`; reads and writes on the ACLs' ARNs
//! (`regional/webacl/NAME/*`); associating also on the load balancers (`SetWebACL`, which
//! AWS checks on the ALB's side); logging to CloudWatch Logs also needs the log delivery
//! and resource-policy calls AWS documents for it.

use afu9_spec::web_acl::WebAclSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<WebAclSpec>],
) -> Vec<Grant> {
    let acls: Vec<String> = want
        .iter()
        .map(|r| scope.arn("wafv2", &format!("regional/webacl/{}/*", r.name())))
        .collect();
    let albs: Vec<String> = want
        .iter()
        .flat_map(|r| r.spec.load_balancers.iter().flatten())
        .map(|name| {
            scope.arn(
                "elasticloadbalancing",
                &format!("loadbalancer/app/{name}/*"),
            )
        })
        .collect();
    let mut grants = reads(acls.clone(), albs.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "wafv2:AssociateWebACL",
            "wafv2:CreateWebACL",
            "wafv2:PutLoggingConfiguration",
            "wafv2:TagResource",
            "wafv2:UntagResource",
            "wafv2:UpdateWebACL",
        ],
        acls,
    ));
    if !albs.is_empty() {
        grants.push(Grant::new(
            Access::Write,
            &["elasticloadbalancing:SetWebACL", "wafv2:AssociateWebACL"],
            albs,
        ));
    }
    if want.iter().any(|r| r.spec.logging.is_some()) {
        grants.push(Grant::any(
            Access::Write,
            &[
                "logs:CreateLogDelivery",
                "logs:DescribeResourcePolicies",
                "logs:PutResourcePolicy",
            ],
        ));
    }
    grants
}

/// What listing and observing every web ACL reads (import).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(
        vec![scope.arn("wafv2", "regional/webacl/*")],
        vec![scope.arn("elasticloadbalancing", "loadbalancer/app/*")],
    )
}

/// The reads of observing `acls` and what protects `albs`.
fn reads(acls: Vec<String>, albs: Vec<String>) -> Vec<Grant> {
    let mut grants = vec![
        Grant::any(
            Access::Read,
            &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "wafv2:ListWebACLs",
            ],
        ),
        Grant::new(
            Access::Read,
            &[
                "wafv2:GetLoggingConfiguration",
                "wafv2:GetWebACL",
                "wafv2:ListTagsForResource",
            ],
            acls.clone(),
        ),
    ];
    let mut protected = acls;
    protected.extend(albs);
    grants.push(Grant::new(
        Access::Read,
        &["wafv2:GetWebACLForResource"],
        protected,
    ));
    grants
}
