//! What a live role proves about least privilege: its inline policies and attached managed
//! policies grant no full administrator access (IAM.1) and no wildcard action of a service
//! (IAM.21), read off the documents IAM holds.

use afu9_spec::Resource;
use afu9_spec::iam::IamRoleSpec;

use super::{IamRoleObserved, IamRoles};
use crate::engine::Attests;
use crate::plan::Fact;
use crate::refs::iam_facts::least_privilege;

impl Attests for IamRoles {
    fn facts(_want: &Resource<IamRoleSpec>, have: &IamRoleObserved) -> Vec<Fact> {
        least_privilege(
            "policies",
            have.inline_policies
                .iter()
                .map(|(name, document)| (format!("inline policy {name}:"), document)),
            have.managed_policies.iter().map(String::as_str),
        )
    }
}
