//! What one kind knows of another, in one leaf: the ARNs, names, ids and dependencies by which
//! a manifest of one kind refers to a resource of another kind, and the reads that resolve
//! them. Kinds never import kinds: a kind that names another kind's resource asks `refs`, so
//! the kinds stay independent of each other and `refs` depends on no kind (only on `aws`,
//! `plan`, `permissions`, `diff` and the spec crate).

pub mod buckets;
pub mod ecs;
pub mod edge;
pub mod groups;
pub mod iam;
pub mod iam_facts;
pub mod kms;
pub mod logs;
pub mod network;
