//! `afu9ctl import`: a kind's live resources written back as manifests.
//!
//! A kind lists its live resources (`ImportOps::discover`), observes them through its own
//! `observe` with a probe manifest per name (`ImportOps::probe`: one that asks for every
//! field the kind manages, so there is no second read path), and turns each observation into
//! a spec (`ImportOps::import`, pure). The engine filters the names, decides `adopt` from the
//! ownership tag, and renders the documents; it names no kind.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use afu9_spec::meta::{ApiVersion, Document, Metadata};
use afu9_spec::tags::{MANAGED_BY_KEY, TagPolicy, Tags, carries_ownership_tag};
use afu9_spec::{Resource, SourceLocation};

use super::census::TaggedType;
use super::kind::ManagedKind;
use super::tags::TagOps;
use crate::aws::{Aws, AwsError};
use crate::permissions::{ArnScope, Grant};

/// What listing a kind's live resources returns: each one's name and a probe manifest for
/// it, one that makes the kind's `observe` read every field `import` writes (a policy's
/// path, a lifecycle policy), so that import has no read path of its own.
pub type Discovery<'a, S> =
    Pin<Box<dyn Future<Output = Result<Vec<(String, S)>, AwsError>> + Send + 'a>>;

/// The names of the live resources whose listing shows the ownership tag, when the kind's
/// list call returns tags (`None`: it does not).
pub type ListedOwners<'a> =
    Pin<Box<dyn Future<Output = Result<Option<BTreeSet<String>>, AwsError>> + Send + 'a>>;

/// A kind that `afu9ctl import` writes back as manifests (and whose orphans, with tags,
/// can be found).
pub trait Imports: ManagedKind {
    /// The desired-state file its manifests go to (`ecr.yaml`).
    const FILE: &'static str;

    /// Every live resource of the kind (paginated list calls), with its probe manifest.
    fn discover(aws: &Aws) -> Discovery<'_, Self::Spec>;

    /// The id other manifests' live state names the resource by (a group id, a policy
    /// ARN), so that their import can name it by its manifest name instead; none by
    /// default.
    fn live_id(_have: &Self::Observed) -> Option<String> {
        None
    }

    /// The manifest that states `have` (pure): every field the kind manages.
    fn import(cx: ImportContext<'_>, name: &str, have: &Self::Observed) -> Self::Spec;

    /// Which live resources carry the ownership tag, when the kind's listing (the pass's
    /// shared one, as `discover` reads it) already shows their tags (a security group, a
    /// secret): the orphan search then observes only those. `None` by default: it observes
    /// every live resource no manifest names, to read its tags.
    fn listed_owners(_aws: &Aws) -> ListedOwners<'_> {
        Box::pin(async { Ok(None) })
    }

    /// How the Resource Groups Tagging API names the kind's resources, when it lists them
    /// with their tags: a whole pass's orphan search for the kind, when it has no manifest,
    /// then asks the pass's census first and lists nothing when the census shows none
    /// owned ([`super::census`]). `None` by default (the API does not list the kind, or
    /// not as the kind's own listing does: buckets of every region).
    const TAGGED: Option<TaggedType> = None;

    /// The IAM actions that discovery and observing its probes take, on any resource of
    /// the kind (the list calls on `*`): what looking for orphans reads on every whole
    /// pass. None by default, for a kind whose orphans are never looked for.
    fn discovery_grants(_scope: &ArnScope) -> Vec<Grant> {
        Vec::new()
    }
}

/// An importing kind's capability as the registry keeps it.
pub struct ImportOps<K: ManagedKind + ?Sized> {
    /// See [`Imports::FILE`].
    pub file: &'static str,
    /// See [`Imports::discover`].
    pub discover: for<'a> fn(&'a Aws) -> Discovery<'a, K::Spec>,
    /// See [`Imports::listed_owners`].
    pub owners: for<'a> fn(&'a Aws) -> ListedOwners<'a>,
    /// See [`Imports::TAGGED`].
    pub tagged: Option<TaggedType>,
    /// See [`Imports::live_id`].
    pub live_id: fn(&K::Observed) -> Option<String>,
    /// See [`Imports::import`].
    pub import: fn(ImportContext<'_>, &str, &K::Observed) -> K::Spec,
    /// See [`Imports::discovery_grants`].
    pub reads: fn(&ArnScope) -> Vec<Grant>,
}

impl<K: Imports> ImportOps<K> {
    /// The capability of `K`.
    pub fn of() -> Self {
        Self {
            file: K::FILE,
            discover: K::discover,
            owners: K::listed_owners,
            tagged: K::TAGGED,
            live_id: K::live_id,
            import: K::import,
            reads: K::discovery_grants,
        }
    }
}

impl<K: ManagedKind + ?Sized> Clone for ImportOps<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: ManagedKind + ?Sized> Copy for ImportOps<K> {}

/// What a kind's pure import may consult besides the resource.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// Live ids (group ids, policy ARNs) of every resource imported so far, this kind's
    /// included, to their manifest names.
    pub names: &'a BTreeMap<String, String>,
}

impl ImportContext<'_> {
    /// The manifest name of the imported resource with the live id `id`.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.names.get(id).map(String::as_str)
    }
}

/// The managed tags of a live resource as a manifest writes them: without the ownership tag
/// (the engine adds it) and without what the controller does not manage (`aws:` keys).
pub fn manifest_tags(live: &Tags) -> Tags {
    TagPolicy::new(&[])
        .managed(live)
        .into_iter()
        .filter(|(key, _)| key != MANAGED_BY_KEY)
        .collect()
}

/// Which live resources to import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// `KIND` or `KIND/NAME` selectors; none selects every kind.
    pub selectors: Vec<(String, Option<String>)>,
    /// Only resources whose name starts with this.
    pub name_prefix: Option<String>,
}

impl ImportRequest {
    /// Whether the request asks for `kind` at all.
    pub fn selects_kind(&self, kind: &str) -> bool {
        self.selectors.is_empty() || self.selectors.iter().any(|(k, _)| k == kind)
    }

    fn selects(&self, kind: &str, name: &str) -> bool {
        let prefixed = self
            .name_prefix
            .as_deref()
            .is_none_or(|prefix| name.starts_with(prefix));
        prefixed
            && (self.selectors.is_empty()
                || self
                    .selectors
                    .iter()
                    .any(|(k, n)| k == kind && n.as_deref().is_none_or(|n| n == name)))
    }
}

/// One imported manifest.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The desired-state file it belongs in.
    pub file: &'static str,
    /// The YAML document (without the `---` separator).
    pub yaml: String,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The kind does not import, for the reason its registration gives.
    #[error("{0}: import is not supported: {1}")]
    Unsupported(&'static str, &'static str),
    /// A read failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// A manifest could not be rendered as YAML.
    #[error("{kind}/{name}: cannot write the manifest: {message}")]
    Render {
        /// The kind.
        kind: &'static str,
        /// The resource.
        name: String,
        /// What the serializer said.
        message: String,
    },
}

/// Imports the resources of kind `K` that `request` selects, in name order, adding their
/// live ids to `names`.
pub(super) async fn import_kind<K: ManagedKind>(
    kind: &K,
    ops: ImportOps<K>,
    tags: Option<TagOps<K>>,
    aws: &Aws,
    request: &ImportRequest,
    names: &mut BTreeMap<String, String>,
) -> Result<Vec<Imported>, ImportError> {
    let probes = probes(
        &ops,
        aws,
        |name| request.selects(K::KIND, name),
        &SourceLocation::new("(live)", 0, 0),
    )
    .await?;
    let observed = kind.observe(aws, &probes).await?;
    let live: Vec<(&str, &K::Observed)> = probes
        .iter()
        .zip(observed.iter())
        .filter_map(|(probe, have)| have.as_ref().map(|have| (probe.name(), have)))
        .collect();
    for (name, have) in &live {
        if let Some(id) = (ops.live_id)(have) {
            names.insert(id, (*name).to_owned());
        }
    }
    let cx = ImportContext { names };
    live.iter()
        .map(|(name, have)| {
            let document = Document {
                api_version: ApiVersion::V1alpha1,
                kind: K::KIND.to_owned(),
                metadata: Metadata {
                    name: (*name).to_owned(),
                    adopt: !owned(tags.as_ref(), name, have),
                    ..Metadata::default()
                },
                spec: (ops.import)(cx, name, have),
            };
            let yaml = afu9_spec::to_yaml(&document).map_err(|message| ImportError::Render {
                kind: K::KIND,
                name: (*name).to_owned(),
                message,
            })?;
            Ok(Imported {
                file: ops.file,
                yaml,
            })
        })
        .collect()
}

/// The kind's live resources that `keep` keeps by name, in name order, each once, as probe
/// manifests declared at `source` for its `observe` (what import and the orphan search
/// read).
pub(super) async fn probes<K: ManagedKind>(
    ops: &ImportOps<K>,
    aws: &Aws,
    keep: impl Fn(&str) -> bool,
    source: &SourceLocation,
) -> Result<Vec<Resource<K::Spec>>, AwsError> {
    let mut found = (ops.discover)(aws).await?;
    found.retain(|(name, _)| keep(name));
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    Ok(found
        .into_iter()
        .map(|(name, spec)| Resource {
            metadata: Metadata {
                name,
                ..Metadata::default()
            },
            spec,
            source: source.clone(),
        })
        .collect())
}

/// Whether the live resource carries the ownership tag (an untagged kind has no owner to
/// claim: its manifest never adopts).
pub(crate) fn owned<K: ManagedKind>(
    tags: Option<&TagOps<K>>,
    name: &str,
    have: &K::Observed,
) -> bool {
    tags.is_none_or(|ops| {
        (ops.live)(name, have).is_none_or(|live| carries_ownership_tag(live.tags))
    })
}
