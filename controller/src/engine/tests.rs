//! The engine's plan: services observed at the same time, the kinds of one service one after
//! another, resources in registry order whatever finished first.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use afu9_spec::ecr::EcrRepositorySpec;
use afu9_spec::{DesiredState, Resource};
use aws_config::{BehaviorVersion, SdkConfig};

use super::{Engine, Kind, ManagedKind, PlanContext};
use crate::aws::{Aws, AwsError};
use crate::plan::Delta;

/// `(kind, started)`: `true` when an observation starts, `false` when it ends.
type Log = Arc<Mutex<Vec<(&'static str, bool)>>>;

/// (kind, service, how long its observation takes in ms)
const FAKES: [(&str, &str, u64); 3] = [("A", "S1", 60), ("B", "S2", 10), ("C", "S1", 10)];

struct Fake<const N: usize> {
    log: Log,
}

impl<const N: usize> ManagedKind for Fake<N> {
    type Spec = EcrRepositorySpec;
    type Observed = ();
    const KIND: &'static str = FAKES[N].0;
    const SERVICE: &'static str = FAKES[N].1;
    const NOUN: &'static str = "fake";
    const WRITE_LIMIT: usize = 1;

    fn permissions(
        _state: &DesiredState,
        _scope: &crate::permissions::ArnScope,
        _want: &[Resource<Self::Spec>],
    ) -> Vec<crate::permissions::Grant> {
        Vec::new()
    }

    async fn observe(
        &self,
        _aws: &Aws,
        want: &[Resource<Self::Spec>],
    ) -> Result<Vec<Option<()>>, AwsError> {
        self.log.lock().unwrap().push((Self::KIND, true));
        tokio::time::sleep(Duration::from_millis(FAKES[N].2)).await;
        self.log.lock().unwrap().push((Self::KIND, false));
        Ok(vec![Some(()); want.len()])
    }

    fn plan(_cx: &PlanContext<'_>, _want: &Resource<Self::Spec>, _have: Option<&()>) -> Delta {
        Delta::exists()
    }
}

fn position(log: &[(&str, bool)], kind: &str, started: bool) -> usize {
    log.iter()
        .position(|entry| *entry == (kind, started))
        .unwrap_or_else(|| panic!("{kind} {started} not in {log:?}"))
}

#[tokio::test]
async fn services_are_observed_at_once_a_service_s_kinds_in_turn_and_planned_in_registry_order() {
    let state = afu9_spec::load::load_str(
        Path::new("test.yaml"),
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: one}\nspec: {}\n",
    )
    .expect("valid manifest");
    let log = Log::default();
    let engine = Engine::new(vec![
        Kind::new(Fake::<0> {
            log: Arc::clone(&log),
        })
        .into(),
        Kind::new(Fake::<1> {
            log: Arc::clone(&log),
        })
        .into(),
        Kind::new(Fake::<2> {
            log: Arc::clone(&log),
        })
        .into(),
    ]);
    let aws = Aws::from_config(
        &SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build(),
    );

    let plan = engine.plan(&aws, &state).await;

    let kinds: Vec<&str> = plan.resources.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ["A", "B", "C"]);
    let log = log.lock().unwrap().clone();
    // B (another service) starts while A runs and ends first; C (A's service) waits for A.
    assert!(
        position(&log, "B", true) < position(&log, "A", false),
        "{log:?}"
    );
    assert!(
        position(&log, "B", false) < position(&log, "A", false),
        "{log:?}"
    );
    assert!(
        position(&log, "A", false) < position(&log, "C", true),
        "{log:?}"
    );
    assert_eq!(aws.calls.total(), 0);
}

/// A kind whose resource is missing and cannot be created, though it planned a create.
struct BlockedCreate;

impl ManagedKind for BlockedCreate {
    type Spec = EcrRepositorySpec;
    type Observed = ();
    const SERVICE: &'static str = "ECR";
    const NOUN: &'static str = "repository";
    const WRITE_LIMIT: usize = 1;

    fn permissions(
        _state: &DesiredState,
        _scope: &crate::permissions::ArnScope,
        _want: &[Resource<Self::Spec>],
    ) -> Vec<crate::permissions::Grant> {
        Vec::new()
    }

    async fn observe(
        &self,
        _aws: &Aws,
        want: &[Resource<Self::Spec>],
    ) -> Result<Vec<Option<()>>, AwsError> {
        Ok(vec![None; want.len()])
    }

    fn plan(_cx: &PlanContext<'_>, want: &Resource<Self::Spec>, _have: Option<&()>) -> Delta {
        let mut delta = Delta::missing();
        delta.op(crate::kinds::ecr::EcrOp::CreateRepository {
            name: want.name().to_owned(),
            scan_on_push: None,
            tag_mutability: None,
            encryption: None,
            tags: afu9_spec::tags::Tags::new(),
        });
        delta.block("its owner creates it");
        delta
    }
}

#[test]
fn a_missing_resource_that_is_blocked_is_not_created() {
    let state = afu9_spec::load::load_str(
        Path::new("test.yaml"),
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: one}\nspec: {}\n",
    )
    .expect("valid manifest");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    let plan = Kind::new(BlockedCreate).plan_one(&cx, &state.ecr_repositories[0], None);
    assert_eq!(plan.action, crate::plan::Action::Blocked);
    assert_eq!(plan.reason.as_deref(), Some("its owner creates it"));
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
}

#[test]
fn a_registration_that_neither_provides_nor_declines_a_capability_is_reported() {
    let kind: Box<dyn super::ErasedKind> = Kind::new(BlockedCreate)
        .untagged("a fake")
        .never_prunes("a fake")
        .into();
    assert_eq!(kind.undeclared(), ["imports", "evented", "attests"]);
    assert_eq!(
        kind.capabilities(),
        [
            "not tagged: a fake",
            "imports: undeclared",
            "never prunes: a fake",
            "evented: undeclared",
            "attests: undeclared"
        ]
    );
}
