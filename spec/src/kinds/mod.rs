//! The manifest kinds, declared once.
//!
//! Each kind lives in its own folder (`kinds/<area>/`: the spec types in `mod.rs`, the rules
//! in `validate.rs`) and is declared by one line of [`declare_kinds!`] below. That line makes
//! its `DesiredState` field, its entry in [`KINDS`], the loader's dispatch on `kind:`, its
//! branch of the JSON Schema, its [`ManifestKind`] implementation and its place in validation;
//! nothing else lists the kinds. (The controller registers each kind with its engine in
//! `afu9_controller::kinds::standard`, and a test there fails when a kind declared here is not
//! registered.)

pub mod bucket;
pub mod cloudtrail;
pub mod db_instance;
pub mod ecr;
pub mod ecs;
pub mod ecs_cluster;
pub mod event_source;
pub mod iam;
pub mod kms_key;
pub mod load_balancer;
pub mod log_group;
pub mod log_metric_filter;
pub mod metric_alarm;
pub mod secrets;
pub mod security_group;
pub mod sns_topic;
pub mod web_acl;

use schemars::{JsonSchema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ManifestError;
use crate::posture::PostureSpec;
use crate::state::Resource;

/// A manifest kind's spec type: its `kind:` name and where its manifests are kept.
pub trait ManifestKind:
    DeserializeOwned + serde::Serialize + JsonSchema + Send + Sync + Sized + 'static
{
    /// The manifest's `kind:` (`EcrRepository`).
    const KIND: &'static str;

    /// This kind's manifests in `state`, in file order.
    fn resources(state: &DesiredState) -> &[Resource<Self>];
}

/// The rules of one kind that need more than one field or more than one document. Names are
/// already checked (not empty, unique within the kind) when this runs.
pub trait Validate: ManifestKind {
    /// Adds every rule violation of this kind's manifests in `state` to `errors`.
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>);
}

/// Parses one document into a resource of any kind (the loader implements it).
pub(crate) trait ParseDocument {
    /// The document as a resource of spec `S`, or `None` after adding its errors.
    fn parse<S: ManifestKind>(&mut self) -> Option<Resource<S>>;
}

/// Declares the manifest kinds: `Kind => field: SpecType`, in the order `validate` reports
/// them and the schema lists them.
macro_rules! declare_kinds {
    ($( $(#[$doc:meta])* $kind:ident => $field:ident: $spec:ty ),+ $(,)?) => {
        /// Every manifest of a desired state, validated.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct DesiredState {
            /// Account-wide settings (defaults when there is no `Posture` document).
            pub posture: PostureSpec,
            /// The `Posture` document itself, if there is one: where it was declared and its
            /// name, for the account-wide settings it manages.
            pub posture_document: Option<Resource<PostureSpec>>,
            /// What validation reported without refusing the desired state (each names its
            /// file, line and rule).
            pub warnings: Vec<ManifestError>,
            /// The guardrail findings the Posture's exceptions accept, while in force.
            pub accepted: Vec<crate::exceptions::Accepted>,
            $( $(#[$doc])* pub $field: Vec<Resource<$spec>>, )+
        }

        $(
            impl ManifestKind for $spec {
                const KIND: &'static str = stringify!($kind);

                fn resources(state: &DesiredState) -> &[Resource<Self>] {
                    &state.$field
                }
            }
        )+

        /// The kinds a manifest may have, `Posture` first, then in declaration order.
        pub const KINDS: &[&str] = &["Posture", $( stringify!($kind) ),+];

        impl DesiredState {
            /// How many resources the desired state names (the Posture document counts when
            /// it manages account-wide settings).
            pub fn len(&self) -> usize {
                PostureSpec::resources(self).len() $( + self.$field.len() )+
            }
        }

        impl DesiredState {
            /// Every manifest as its kind, metadata and where it was declared: the Posture
            /// document first, then the kinds in declaration order.
            pub fn manifests(&self) -> Vec<(&'static str, &crate::meta::Metadata, &crate::error::SourceLocation)> {
                let mut all: Vec<(&'static str, &crate::meta::Metadata, &crate::error::SourceLocation)> = self
                    .posture_document
                    .iter()
                    .map(|p| ("Posture", &p.metadata, &p.source))
                    .collect();
                $( all.extend(self.$field.iter().map(|r| (stringify!($kind), &r.metadata, &r.source))); )+
                all
            }

            /// The resources of the kind `kind`, each as its name and its spec as JSON in the
            /// manifest's vocabulary (`scanOnPush`), in file order; none for an undeclared kind.
            pub fn specs_json(&self, kind: &str) -> Vec<(&str, Value)> {
                match kind {
                    $( stringify!($kind) => self
                        .$field
                        .iter()
                        .map(|r| (r.name(), serde_json::to_value(&r.spec).unwrap_or(Value::Null)))
                        .collect(), )+
                    _ => Vec::new(),
                }
            }
        }

        /// Parses a document of the managed kind `kind` into `state`; `false` for a kind that
        /// is not declared.
        pub(crate) fn parse_managed(
            kind: &str,
            parser: &mut impl ParseDocument,
            state: &mut DesiredState,
        ) -> bool {
            match kind {
                $( stringify!($kind) => {
                    if let Some(resource) = parser.parse::<$spec>() {
                        state.$field.push(resource);
                    }
                    true
                } )+
                _ => false,
            }
        }

        /// Runs every kind's checks, names first, in declaration order.
        pub(crate) fn validate_all(state: &DesiredState, errors: &mut Vec<ManifestError>) {
            $(
                crate::validate::check_names::<$spec>(state, errors);
                <$spec as Validate>::validate(state, errors);
            )+
        }

        /// One schema branch per managed kind, in declaration order.
        pub(crate) fn schema_branches(generator: &mut SchemaGenerator) -> Vec<Value> {
            vec![ $( crate::schema::kind_branch::<$spec>(generator, stringify!($kind)), )+ ]
        }
    };
}

/// Implements [`TaggedSpec`](crate::tags::TaggedSpec) for specs with a `tags: Tags` field.
macro_rules! tagged_specs {
    ($($spec:ty),+ $(,)?) => {
        $(
            impl crate::tags::TaggedSpec for $spec {
                fn tags(&self) -> &crate::tags::Tags {
                    &self.tags
                }
            }
        )+
    };
}

tagged_specs!(
    bucket::BucketSpec,
    log_group::LogGroupSpec,
    cloudtrail::CloudTrailSpec,
    db_instance::DbInstanceSpec,
    ecr::EcrRepositorySpec,
    ecs_cluster::EcsClusterSpec,
    event_source::EventSourceSpec,
    iam::IamPolicySpec,
    iam::IamRoleSpec,
    kms_key::KmsKeySpec,
    load_balancer::LoadBalancerSpec,
    metric_alarm::MetricAlarmSpec,
    secrets::SecretSpec,
    security_group::SecurityGroupSpec,
    sns_topic::SnsTopicSpec,
    web_acl::WebAclSpec,
);

declare_kinds! {
    /// `EcrRepository` manifests, in file order.
    EcrRepository => ecr_repositories: ecr::EcrRepositorySpec,
    /// `IamPolicy` manifests, in file order.
    IamPolicy => iam_policies: iam::IamPolicySpec,
    /// `IamRole` manifests, in file order.
    IamRole => iam_roles: iam::IamRoleSpec,
    /// `SecurityGroup` manifests, in file order.
    SecurityGroup => security_groups: security_group::SecurityGroupSpec,
    /// `Secret` manifests, in file order.
    Secret => secrets: secrets::SecretSpec,
    /// `EcsTaskDefinition` manifests, in file order.
    EcsTaskDefinition => ecs_task_definitions: ecs::EcsTaskDefinitionSpec,
    /// `EcsCluster` manifests, in file order.
    EcsCluster => ecs_clusters: ecs_cluster::EcsClusterSpec,
    /// `DbInstance` manifests, in file order.
    DbInstance => db_instances: db_instance::DbInstanceSpec,
    /// `SnsTopic` manifests, in file order.
    SnsTopic => sns_topics: sns_topic::SnsTopicSpec,
    /// `CloudTrail` manifests, in file order.
    CloudTrail => cloud_trails: cloudtrail::CloudTrailSpec,
    /// `LogMetricFilter` manifests, in file order.
    LogMetricFilter => log_metric_filters: log_metric_filter::LogMetricFilterSpec,
    /// `MetricAlarm` manifests, in file order.
    MetricAlarm => metric_alarms: metric_alarm::MetricAlarmSpec,
    /// `EventSource` manifests, in file order (at most one).
    EventSource => event_sources: event_source::EventSourceSpec,
    /// `KmsKey` manifests, in file order.
    KmsKey => kms_keys: kms_key::KmsKeySpec,
    /// `LoadBalancer` manifests, in file order.
    LoadBalancer => load_balancers: load_balancer::LoadBalancerSpec,
    /// `Bucket` manifests, in file order.
    Bucket => buckets: bucket::BucketSpec,
    /// `LogGroup` manifests, in file order.
    LogGroup => log_groups: log_group::LogGroupSpec,
    /// `WebAcl` manifests, in file order.
    WebAcl => web_acls: web_acl::WebAclSpec,
}
