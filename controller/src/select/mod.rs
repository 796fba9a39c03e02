//! Choosing the resources one command acts on: `--target KIND/NAME` (Terraform's `-target`)
//! and `-l` label selectors on `metadata.labels` (kubectl's `-l`).
//!
//! A resource is chosen when a `--target` names it (or no `--target` is given) and it meets
//! every selector requirement (or none is given). What a chosen resource depends on
//! ([`crate::plan::ResourcePlan::depends_on`]) is chosen with it, transitively and whatever
//! its labels, as Terraform does: an apply of the chosen resources then has what they wait
//! for. The choice is made from the manifests alone, before any AWS call, and every mistake
//! in it (an unknown kind, a name no manifest has, a malformed selector, a selector that
//! matches nothing) is an error.

mod selector;

pub use selector::Requirement;

use std::collections::BTreeSet;
use std::fmt;

use afu9_spec::DesiredState;

use crate::aws::Aws;
use crate::engine::{Engine, Manifest};
use crate::events::{EventKey, Target};
use crate::plan::Plan;

/// A selection as the command line wrote it; empty means every resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `--target` arguments, as `(kind, name)`.
    targets: Vec<(String, String)>,
    /// Every `-l` requirement; all must hold.
    requirements: Vec<Requirement>,
}

/// What a selection chose: the resources to observe and plan, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The chosen resources and what they depend on.
    pub targets: BTreeSet<Target>,
    /// The selection as written (`--target EcrRepository/afu9/app -l team=data`).
    pub selection: String,
}

/// Why a selection cannot be used; nothing has been sent to AWS.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// A `--target` that is not `KIND/NAME`.
    #[error("--target `{0}` is not KIND/NAME (e.g. --target EcrRepository/afu9/control-center)")]
    MalformedTarget(String),
    /// A `--target` kind that is not a kind.
    #[error("--target `{target}`: there is no kind `{kind}`{suggestion}; the kinds are {known}")]
    UnknownKind {
        /// The argument.
        target: String,
        /// The kind it names.
        kind: String,
        /// ` (did you mean KIND/TARGET?)` when the whole argument is a manifest's name.
        suggestion: String,
        /// Every kind, comma-separated.
        known: String,
    },
    /// A `--target` name no manifest of its kind has.
    #[error("--target `{target}`: no {kind} manifest is named `{name}`; {hint}")]
    UnknownName {
        /// The argument.
        target: String,
        /// The kind.
        kind: &'static str,
        /// The name.
        name: String,
        /// The closest address, or the kind's names.
        hint: String,
    },
    /// A `-l` argument that does not parse.
    #[error(
        "-l `{selector}` is not a label selector: {why} (write key=value, key!=value, key or !key, comma-separated)"
    )]
    MalformedSelector {
        /// The argument.
        selector: String,
        /// What is wrong with it.
        why: String,
    },
    /// A selection that chooses no resource.
    #[error("{selection} matches no manifest; {hint}")]
    NothingMatches {
        /// The selection as written.
        selection: String,
        /// The labels the manifests carry.
        hint: String,
    },
}

impl Selection {
    /// Parses `--target` and `-l` arguments (neither: every resource).
    pub fn parse(targets: &[String], selectors: &[String]) -> Result<Self, SelectionError> {
        let targets = targets
            .iter()
            .map(|target| match target.split_once('/') {
                Some((kind, name)) if !kind.is_empty() && !name.is_empty() => {
                    Ok((kind.to_owned(), name.to_owned()))
                }
                _ => Err(SelectionError::MalformedTarget(target.clone())),
            })
            .collect::<Result<_, _>>()?;
        let mut requirements = Vec::new();
        for text in selectors {
            requirements.extend(selector::parse(text)?);
        }
        Ok(Self {
            targets,
            requirements,
        })
    }

    /// Whether it chooses every resource (no `--target`, no `-l`).
    pub fn is_everything(&self) -> bool {
        self.targets.is_empty() && self.requirements.is_empty()
    }

    /// The resources of `state` it chooses, with what they depend on; `None` when it
    /// chooses every resource. Makes no AWS call.
    pub fn resolve(
        &self,
        engine: &Engine,
        state: &DesiredState,
    ) -> Result<Option<Chosen>, SelectionError> {
        if self.is_everything() {
            return Ok(None);
        }
        let manifests: Vec<(&'static str, Manifest<'_>)> = engine
            .kinds()
            .flat_map(|kind| {
                let name = kind.kind();
                kind.manifests(state).into_iter().map(move |m| (name, m))
            })
            .collect();
        let named = self
            .targets
            .iter()
            .map(|(kind, name)| find(engine, &manifests, kind, name))
            .collect::<Result<BTreeSet<_>, _>>()?;
        let mut chosen: Vec<usize> = (0..manifests.len())
            .filter(|&i| self.targets.is_empty() || named.contains(&i))
            .filter(|&i| {
                self.requirements
                    .iter()
                    .all(|r| r.matches(manifests[i].1.labels))
            })
            .collect();
        if chosen.is_empty() {
            return Err(SelectionError::NothingMatches {
                selection: self.to_string(),
                hint: labels_in_use(&manifests),
            });
        }
        let mut included: BTreeSet<usize> = chosen.iter().copied().collect();
        while let Some(i) = chosen.pop() {
            for dependency in &manifests[i].1.depends_on {
                let found = manifests
                    .iter()
                    .position(|(kind, m)| *kind == dependency.kind && m.name == dependency.name);
                if let Some(at) = found.filter(|at| included.insert(*at)) {
                    chosen.push(at);
                }
            }
        }
        Ok(Some(Chosen {
            targets: included
                .into_iter()
                .map(|i| Target {
                    kind: manifests[i].0,
                    key: EventKey::Name(manifests[i].1.name.to_owned()),
                })
                .collect(),
            selection: self.to_string(),
        }))
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .targets
            .iter()
            .map(|(kind, name)| format!("--target {kind}/{name}"))
            .collect();
        if !self.requirements.is_empty() {
            let requirements: Vec<String> =
                self.requirements.iter().map(ToString::to_string).collect();
            parts.push(format!("-l {}", requirements.join(",")));
        }
        f.write_str(&parts.join(" "))
    }
}

/// The index in `manifests` of the resource `kind/name`, or why there is none.
fn find(
    engine: &Engine,
    manifests: &[(&'static str, Manifest<'_>)],
    kind: &str,
    name: &str,
) -> Result<usize, SelectionError> {
    let target = format!("{kind}/{name}");
    let kinds: Vec<&'static str> = engine
        .kinds()
        .map(crate::engine::ErasedKind::kind)
        .collect();
    let Some(kind) = kinds
        .iter()
        .find(|k| **k == kind)
        .or_else(|| kinds.iter().find(|k| k.eq_ignore_ascii_case(kind)))
        .copied()
    else {
        let suggestion = manifests
            .iter()
            .find(|(_, m)| m.name == target)
            .map(|(kind, _)| format!(" (did you mean {kind}/{target}?)"))
            .unwrap_or_default();
        return Err(SelectionError::UnknownKind {
            target,
            kind: kind.to_owned(),
            suggestion,
            known: kinds.join(", "),
        });
    };
    if let Some(at) = manifests
        .iter()
        .position(|(k, m)| *k == kind && m.name == name)
    {
        return Ok(at);
    }
    Err(SelectionError::UnknownName {
        target,
        kind,
        name: name.to_owned(),
        hint: suggestion(manifests, kind, name),
    })
}

/// Plans what `chosen` chose (marking the plan partial), or every resource when `None`.
pub async fn plan(
    engine: &Engine,
    aws: &Aws,
    state: &DesiredState,
    chosen: Option<&Chosen>,
) -> Plan {
    match chosen {
        None => engine.plan(aws, state).await,
        Some(chosen) => {
            let mut plan = engine.plan_targets(aws, state, &chosen.targets).await;
            plan.partial = Some(chosen.selection.clone());
            plan
        }
    }
}

/// "did you mean" the closest `kind` name (or the same name of another kind), else the
/// kind's names.
fn suggestion(manifests: &[(&'static str, Manifest<'_>)], kind: &str, name: &str) -> String {
    if let Some((other, _)) = manifests.iter().find(|(k, m)| *k != kind && m.name == name) {
        return format!("did you mean {other}/{name}?");
    }
    let names: Vec<&str> = manifests
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, m)| m.name)
        .collect();
    let closest = names
        .iter()
        .map(|candidate| (distance(candidate, name), *candidate))
        .min();
    match closest {
        None => format!("there is no {kind} manifest"),
        Some((distance, closest)) if distance <= (name.chars().count() / 3).max(2) => {
            format!("did you mean {kind}/{closest}?")
        }
        Some(_) => format!("the {kind} manifests are {}", names.join(", ")),
    }
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The label keys the manifests carry, for a selector that matched nothing.
fn labels_in_use(manifests: &[(&'static str, Manifest<'_>)]) -> String {
    let keys: BTreeSet<&str> = manifests
        .iter()
        .flat_map(|(_, m)| m.labels.keys().map(String::as_str))
        .collect();
    if keys.is_empty() {
        "no manifest has labels".to_owned()
    } else {
        let keys: Vec<&str> = keys.into_iter().collect();
        format!("the manifests' label keys are {}", keys.join(", "))
    }
}

#[cfg(test)]
mod tests;
