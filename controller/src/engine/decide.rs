//! The engine's one decision per resource: a kind's facts ([`Delta`]) become its plan.
//!
//! Here and nowhere else: the action (create, update, replace, blocked, noop), the ownership
//! and adoption rule (`managed-by` tag, `metadata.adopt`), the tag plan through the kind's
//! tagging ([`TagOps`]), and the management policy (an observed resource keeps its changes, never
//! its calls; a global resource is observed by an instance that does not manage them).

use afu9_spec::{DesiredState, ManagementPolicy, Resource};

use super::kind::{ManagedKind, PlanContext};
use super::tags::TagOps;
use crate::aws::AwsError;
use crate::diff::tags::{created_tags, diff_tags};
use crate::diff::unowned_reason;
use crate::plan::{Action, Delta, Existence, ResourcePlan};

/// The plan of one observed resource: the kind's pure comparison, then the engine's decision
/// (with `tags`, the kind's tagging, if it has any).
pub(super) fn plan_resource<K: ManagedKind>(
    cx: &PlanContext<'_>,
    tags: Option<&TagOps<K>>,
    want: &Resource<K::Spec>,
    have: Option<&K::Observed>,
) -> ResourcePlan {
    let mut plan = decide::<K>(cx, tags, want, have, K::plan(cx, want, have));
    plan.depends_on = K::depends_on(cx.state, want);
    plan
}

/// The plan of one resource from what its kind found.
fn decide<K: ManagedKind>(
    cx: &PlanContext<'_>,
    tagging: Option<&TagOps<K>>,
    want: &Resource<K::Spec>,
    have: Option<&K::Observed>,
    delta: Delta,
) -> ResourcePlan {
    let Delta {
        existence,
        mut changes,
        mut ops,
        blocked,
        replace,
        note,
    } = delta;
    let mut plan = ResourcePlan::new(K::KIND, want.name(), &want.source);
    plan.policy = if K::GLOBAL && !cx.state.posture.manages_global() {
        ManagementPolicy::Observe
    } else {
        cx.state.management_policy(&want.metadata)
    };
    let desired_tags =
        |tags: Option<&TagOps<K>>| tags.map(|ops| cx.state.desired_tags((ops.desired)(&want.spec)));
    let blocked = (!blocked.is_empty()).then(|| blocked.join("; "));
    match existence {
        Existence::Unavailable(reason) => {
            plan.action = Action::Blocked;
            plan.reason = Some(reason);
            ops.clear();
        }
        Existence::Missing => {
            if let Some(tags) = desired_tags(tagging) {
                created_tags(&tags, &cx.state.tag_policy(), &mut changes);
            }
            (plan.action, plan.reason) = match blocked {
                Some(reason) => {
                    // A resource that cannot be created is not partly created either.
                    ops.clear();
                    (Action::Blocked, Some(with_note(reason, note)))
                }
                None => (Action::Create, note),
            };
        }
        Existence::Exists => {
            if let (Some(tag_ops), Some(have)) = (tagging, have)
                && let Some(live) = (tag_ops.live)(want.name(), have)
            {
                let tags = desired_tags(tagging).unwrap_or_default();
                if replace.is_some() {
                    created_tags(&tags, &cx.state.tag_policy(), &mut changes);
                } else {
                    let diff = diff_tags(&tags, live.tags, &cx.state.tag_policy(), &mut changes);
                    if !diff.set.is_empty() {
                        ops.push((tag_ops.tag)(live.target.to_owned(), diff.set));
                    }
                    if !diff.remove.is_empty() {
                        ops.push((tag_ops.untag)(live.target.to_owned(), diff.remove));
                    }
                }
                if let Some(reason) = unowned_reason(
                    K::NOUN,
                    &cx.state.posture.owner(),
                    live.tags,
                    want.metadata.adopt,
                ) {
                    plan.action = Action::Blocked;
                    plan.reason = Some(reason);
                    plan.changes = changes;
                    return plan;
                }
            }
            (plan.action, plan.reason) = if let Some(reason) = blocked {
                (Action::Blocked, Some(with_note(reason, note)))
            } else if let Some(reason) = replace {
                (Action::Replace, Some(with_note(reason, note)))
            } else if changes.is_empty() {
                (Action::Noop, note)
            } else {
                (Action::Update, note)
            };
        }
    }
    plan.changes = changes;
    if plan.policy != ManagementPolicy::Observe {
        plan.ops = ops;
    }
    plan
}

/// A reason with the kind's note after it.
fn with_note(reason: String, note: Option<String>) -> String {
    match note {
        Some(note) => format!("{reason}; {note}"),
        None => reason,
    }
}

/// Every resource of a kind that could not be observed, as `error` entries.
pub(super) fn unobservable<K: ManagedKind>(
    state: &DesiredState,
    want: &[Resource<K::Spec>],
    err: &AwsError,
) -> Vec<ResourcePlan> {
    want.iter()
        .map(|resource| ResourcePlan {
            action: Action::Error,
            reason: Some(err.to_string()),
            policy: state.management_policy(&resource.metadata),
            error_class: Some(err.class),
            ..ResourcePlan::new(K::KIND, resource.name(), &resource.source)
        })
        .collect()
}
