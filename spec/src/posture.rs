//! The `Posture` document: settings that apply to the whole desired state, and the
//! account-wide AWS settings it manages (EBS encryption by default, ECR registry scanning, S3
//! Block Public Access).
//!
//! The account-wide settings are reconciled as one resource, the Posture document itself
//! (`Posture/<metadata.name>` in a plan), when the document manages any of them; settings left
//! out are not managed, as fields of any other kind.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ManagementPolicy;

/// Account-wide settings: which account and region the desired state is for, default tags,
/// tags to leave alone, and the default management policy. At most one per desired state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PostureSpec {
    /// The 12-digit AWS account this desired state is for. When set, the controller asks STS
    /// who it is and refuses to act on any other account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The region this desired state is for (`eu-central-1`). When set, running against
    /// another region is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Tags added to every resource that carries tags; a manifest's own tags win.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub default_tags: BTreeMap<String, String>,
    /// Tag keys the controller never adds, changes or removes, for tags that other tooling
    /// manages. A trailing `*` matches any suffix (`org:*`). `aws:` tags are always ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_tags: Vec<String>,
    /// The management policy of resources that do not set their own.
    #[serde(default)]
    pub management_policy: ManagementPolicy,
    /// Encrypt every new EBS volume and snapshot copy in the region by default (Security Hub
    /// EC2.7); `false` is refused. Left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs_encryption_by_default: Option<bool>,
    /// Scan every ECR repository of the registry, including those no manifest names (a `*`
    /// rule; Security Hub ECR.1). Left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecr_registry_scanning: Option<crate::registry_scanning::RegistryScanning>,
    /// Block Public Access for the whole account (S3 Control's account-level setting;
    /// Security Hub S3.1): every flag defaults to on, and a flag turned off is refused.
    /// `{}` asks for all four. Left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_block_public_access: Option<crate::kinds::bucket::PublicAccessBlock>,
    /// Delete orphans: live resources that carry the `managed-by: afu9-posture` tag but that
    /// no manifest names any more. Off (the default), `plan` lists them as `orphaned` and
    /// nothing is done to them; `apply --prune` prunes for one run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune: bool,
    /// What pruning may do to particular orphans beyond its protections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orphans: Vec<OrphanEntry>,
    /// The controller instance this desired state belongs to, when several keep one account
    /// (lowercase letters, digits and `-`, at most 63). Its resources carry
    /// `afu9-posture/instance: <instance>` beside `managed-by`; another instance's resources
    /// are never its orphans and never written. Left out: the default instance, whose
    /// resources carry no instance tag (as every resource did before instances existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Whether this instance manages the account's global resources (IAM roles and
    /// policies): one instance per account does. `false`: they are observed (drift reported,
    /// never written) and their orphans not looked for. Default `true`; `afu9ctl run
    /// --manage-global false` overrides it (the deploy template does so outside its primary
    /// region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_global: Option<bool>,
    /// How many orphans one pass may delete. A pass that would delete more deletes none and
    /// says which and why (`apply --allow-deletions N` lifts it for one run).
    #[serde(default)]
    pub deletion_budget: DeletionBudget,
    /// Where `run` (and `apply --notify`) reports drift found, fixed and blocked, and failing
    /// passes: an SNS topic and webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<crate::notifications::Notifications>,
    /// Accepted risks: what each accepts (a guardrail rule, a checklist item or a Security
    /// Hub control), on which resources, why, its owner, ticket and expiry. What one accepts
    /// shows as accepted until it expires, then fails again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<crate::exceptions::Exception>,
}

/// The most one pass may delete: at most `maxDeletions` resources, and at most
/// `maxPercent` % of the resources the controller owns (the managed resources and the
/// orphans; the percentage allows at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeletionBudget {
    /// The most resources one pass deletes (default 5).
    #[serde(default = "DeletionBudget::default_max")]
    pub max_deletions: u32,
    /// The most one pass deletes as a percentage of the resources owned (default 10).
    #[serde(default = "DeletionBudget::default_percent")]
    #[schemars(range(min = 0, max = 100))]
    pub max_percent: u32,
}

impl DeletionBudget {
    /// The default most resources one pass deletes.
    pub const DEFAULT_MAX: u32 = 5;
    /// The default most one pass deletes, in percent of what is owned.
    pub const DEFAULT_PERCENT: u32 = 10;

    fn default_max() -> u32 {
        Self::DEFAULT_MAX
    }

    fn default_percent() -> u32 {
        Self::DEFAULT_PERCENT
    }

    /// How many deletions a pass that owns `owned` resources may make: the smaller of the
    /// two limits, and at least one.
    pub fn limit(&self, owned: usize) -> usize {
        let share = owned.saturating_mul(self.max_percent as usize) / 100;
        (self.max_deletions as usize).min(share.max(1))
    }
}

impl Default for DeletionBudget {
    fn default() -> Self {
        Self {
            max_deletions: Self::DEFAULT_MAX,
            max_percent: Self::DEFAULT_PERCENT,
        }
    }
}

/// One orphan that pruning may treat beyond its protections, by kind and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrphanEntry {
    /// The orphan's kind (`EcrRepository`).
    pub kind: String,
    /// The orphan's name, as its manifest named it.
    pub name: String,
    /// Delete the ECR repository even though it still holds images (`DeleteRepository`
    /// with `force`). Without it, a repository with images is not pruned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_images: bool,
}

impl OrphanEntry {
    /// The entry for the orphan `name` of `kind` in `entries`, if any.
    pub fn find<'a>(entries: &'a [Self], kind: &str, name: &str) -> Option<&'a Self> {
        entries.iter().find(|e| e.kind == kind && e.name == name)
    }
}

impl PostureSpec {
    /// The controller instance the desired state belongs to.
    pub fn owner(&self) -> crate::tags::Owner {
        crate::tags::Owner::new(self.instance.as_deref())
    }

    /// Whether this instance writes the account's global resources (IAM).
    pub fn manages_global(&self) -> bool {
        self.manage_global.unwrap_or(true)
    }

    /// Whether the document manages an account-wide AWS setting (and so is reconciled).
    pub fn manages_account_settings(&self) -> bool {
        self.ebs_encryption_by_default.is_some()
            || self.ecr_registry_scanning.is_some()
            || self.s3_block_public_access.is_some()
    }
}

impl crate::kinds::ManifestKind for PostureSpec {
    const KIND: &'static str = "Posture";

    /// The Posture document, when it manages an account-wide setting; otherwise none.
    fn resources(state: &crate::DesiredState) -> &[crate::Resource<Self>] {
        match &state.posture_document {
            Some(document) if document.spec.manages_account_settings() => {
                std::slice::from_ref(document)
            }
            _ => &[],
        }
    }
}
