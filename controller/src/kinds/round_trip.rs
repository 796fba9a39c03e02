//! Import round trips for the kinds' unit tests: live state imported, the manifests written
//! as YAML and loaded (validated) again, then planned against the same live state, with the
//! write events of the kinds in that state, as a pass plans.

use std::collections::BTreeMap;

use afu9_spec::ManifestKind;
use afu9_spec::meta::{ApiVersion, Document, Metadata};

use crate::engine::import::owned;
use crate::engine::{Engine, ImportContext, ManagedKind, PlanContext};

/// A kind's import round trip for its unit tests: `have` imported, the manifest written as
/// YAML and loaded (validated) again, then planned against the same `have`.
///
/// # Panics
/// When the kind does not import, or its manifest does not load.
pub fn round_trip<K: ManagedKind>(
    name: &str,
    have: &K::Observed,
    names: &BTreeMap<String, String>,
    identity: Option<&crate::aws::Identity>,
) -> crate::plan::ResourcePlan {
    round_trip_all::<K>(&[(name, have)], names, identity)
        .pop()
        .expect("one plan per resource")
}

/// [`round_trip`] for resources that refer to each other (security groups naming their
/// peers): all imported into one desired state, loaded, and each planned against its
/// `have`, in the order given.
///
/// # Panics
/// When the kind does not import, or its manifests do not load.
pub fn round_trip_all<K: ManagedKind>(
    live: &[(&str, &K::Observed)],
    names: &BTreeMap<String, String>,
    identity: Option<&crate::aws::Identity>,
) -> Vec<crate::plan::ResourcePlan> {
    round_trip_alongside::<K>("", live, names, identity)
}

/// [`round_trip_all`] with other kinds' manifests (`alongside`, YAML documents) in the same
/// desired state, for a kind whose manifests must name them (a task definition its roles)
/// or whose plan depends on the kinds present (the event source's rule pattern). Planned
/// with the write events of the registered kinds that have manifests in that state.
///
/// # Panics
/// When the kind does not import, or the manifests do not load.
pub fn round_trip_alongside<K: ManagedKind>(
    alongside: &str,
    live: &[(&str, &K::Observed)],
    names: &BTreeMap<String, String>,
    identity: Option<&crate::aws::Identity>,
) -> Vec<crate::plan::ResourcePlan> {
    let kind = super::registered::<K>();
    let ops = kind
        .import_ops()
        .unwrap_or_else(|| panic!("{} does not import", K::KIND));
    let mut yaml = alongside.to_owned();
    for (name, have) in live {
        let document = Document {
            api_version: ApiVersion::V1alpha1,
            kind: K::KIND.to_owned(),
            metadata: Metadata {
                name: (*name).to_owned(),
                adopt: !owned(kind.tag_ops(), name, have),
                ..Metadata::default()
            },
            spec: (ops.import)(ImportContext { names }, name, have),
        };
        yaml.push_str("---\n");
        yaml.push_str(&afu9_spec::to_yaml(&document).expect("renders"));
    }
    let state = afu9_spec::load::load_str(std::path::Path::new("imported.yaml"), &yaml)
        .unwrap_or_else(|err| panic!("{yaml}\n{err}"));
    // The write events of the kinds in the state, as a pass plans with them (the event
    // source's rule listens for them).
    let events = Engine::new(super::standard()).declared_events(&state);
    let cx = PlanContext {
        state: &state,
        identity,
        events: &events,
    };
    K::Spec::resources(&state)
        .iter()
        .zip(live)
        .map(|(resource, (_, have))| kind.plan_one(&cx, resource, Some(*have)))
        .collect()
}
