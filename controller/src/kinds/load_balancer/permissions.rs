//! The IAM actions of `LoadBalancer`: ELB's `Describe*`, EC2's and ACM's lists take no resource (`*`); the writes name the load balancers (`loadbalancer/app/NAME/*`) and their listeners (`listener/app/NAME/*`).

use afu9_spec::load_balancer::LoadBalancerSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<LoadBalancerSpec>],
) -> Vec<Grant> {
    let balancers: Vec<String> = want
        .iter()
        .map(|r| {
            scope.arn(
                "elasticloadbalancing",
                &format!("loadbalancer/app/{}/*", r.name()),
            )
        })
        .collect();
    let listeners: Vec<String> = want
        .iter()
        .map(|r| {
            scope.arn(
                "elasticloadbalancing",
                &format!("listener/app/{}/*", r.name()),
            )
        })
        .collect();
    let both: Vec<String> = balancers.iter().chain(&listeners).cloned().collect();
    vec![
        Grant::any(
            Access::Read,
            &[
                "acm:ListCertificates",
                "ec2:DescribeSecurityGroups",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeTags",
            ],
        ),
        Grant::new(
            Access::Write,
            &[
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetSecurityGroups",
            ],
            balancers,
        ),
        Grant::new(
            Access::Write,
            &[
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyListenerAttributes",
            ],
            listeners,
        ),
        Grant::new(
            Access::Write,
            &[
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            both,
        ),
    ]
}
