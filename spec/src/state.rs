//! The validated desired state: what the controller converges the account to.

use crate::ec2::SecurityGroupSpec;
use crate::ecr::EcrRepositorySpec;
use crate::ecs::EcsTaskDefinitionSpec;
use crate::error::SourceLocation;
use crate::iam::{IamPolicySpec, IamRoleSpec};
use crate::meta::{ManagementPolicy, Metadata};
use crate::posture::PostureSpec;
use crate::secrets::SecretSpec;
use crate::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, TagPolicy, Tags};

/// One managed resource: its metadata, its spec and where it was declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource<S> {
    /// Name and controller settings.
    pub metadata: Metadata,
    /// The desired configuration.
    pub spec: S,
    /// Where `metadata.name` was written.
    pub source: SourceLocation,
}

impl<S> Resource<S> {
    /// The resource's name (`metadata.name`).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}

/// Every manifest of a desired state, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DesiredState {
    /// Account-wide settings (defaults when there is no `Posture` document).
    pub posture: PostureSpec,
    /// `EcrRepository` manifests, in file order.
    pub ecr_repositories: Vec<Resource<EcrRepositorySpec>>,
    /// `IamPolicy` manifests, in file order.
    pub iam_policies: Vec<Resource<IamPolicySpec>>,
    /// `IamRole` manifests, in file order.
    pub iam_roles: Vec<Resource<IamRoleSpec>>,
    /// `SecurityGroup` manifests, in file order.
    pub security_groups: Vec<Resource<SecurityGroupSpec>>,
    /// `Secret` manifests, in file order.
    pub secrets: Vec<Resource<SecretSpec>>,
    /// `EcsTaskDefinition` manifests, in file order.
    pub ecs_task_definitions: Vec<Resource<EcsTaskDefinitionSpec>>,
}

impl DesiredState {
    /// The management policy in force for a resource with `metadata`.
    pub fn management_policy(&self, metadata: &Metadata) -> ManagementPolicy {
        metadata
            .management_policy
            .unwrap_or(self.posture.management_policy)
    }

    /// Which live tag keys the controller manages.
    pub fn tag_policy(&self) -> TagPolicy {
        TagPolicy::new(&self.posture.ignore_tags)
    }

    /// The full tag set a resource with its own `tags` must carry: the posture's default tags,
    /// overridden by the resource's, plus the ownership tag.
    pub fn desired_tags(&self, tags: &Tags) -> Tags {
        let mut all = self.posture.default_tags.clone();
        all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        all.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
        all
    }

    /// How many resources the desired state names.
    pub fn len(&self) -> usize {
        self.ecr_repositories.len()
            + self.iam_policies.len()
            + self.iam_roles.len()
            + self.security_groups.len()
            + self.secrets.len()
            + self.ecs_task_definitions.len()
    }

    /// Whether the desired state names no resource.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
