//! The afu9-posture desired-state language.
//!
//! Manifests are Kubernetes-style YAML documents (`apiVersion`, `kind`, `metadata`, `spec`).
//! This crate turns files into a validated [`DesiredState`]: it parses ([`load`]), checks
//! references, uniqueness and guardrails ([`validate`]), and describes every kind as a JSON
//! Schema ([`schema`]). It does no I/O beyond reading files and knows nothing about AWS SDKs.

pub mod error;
pub mod exceptions;
pub mod kinds;
pub mod load;
pub mod meta;
pub mod notifications;
pub mod posture;
pub mod registry_scanning;
pub mod schema;
pub mod state;
pub mod tags;
pub mod time;
pub mod validate;

// Every kind's area (`afu9_spec::ecr`), `KINDS` and `ManifestKind`: a new kind's folder is
// reachable from the crate root without another list to edit.
pub use kinds::*;

pub use error::{ManifestError, ManifestErrors, SourceLocation};
pub use load::{load_paths, load_paths_as_of};
pub use meta::{ApiVersion, ManagementPolicy, Metadata, to_yaml};
pub use state::{DesiredState, Resource};
