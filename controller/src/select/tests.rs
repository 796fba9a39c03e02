//! Choosing resources from the manifests alone: targets, selectors, dependencies, mistakes.

use std::path::Path;

use afu9_spec::DesiredState;

use super::{Requirement, Selection, SelectionError, distance, selector};
use crate::engine::Engine;

const STATE: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: app-read, labels: {team: data}}
spec:
  document:
    Version: \"2012-10-17\"
    Statement: [{Effect: Allow, Action: s3:GetObject, Resource: \"arn:aws:s3:::afu9-data/*\"}]
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: app, labels: {team: web, tier: front}}
spec:
  trustPolicy: {service: ecs-tasks.amazonaws.com}
  managedPolicies: [app-read]
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/control-center, labels: {team: web}}
spec: {scanOnPush: true}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/mcp-github, labels: {team: data}}
spec: {scanOnPush: true}
";

fn state() -> DesiredState {
    afu9_spec::load::load_str(Path::new("state.yaml"), STATE).expect("valid state")
}

fn chosen(targets: &[&str], selectors: &[&str]) -> Result<Vec<String>, SelectionError> {
    let own = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let selection = Selection::parse(&own(targets), &own(selectors))?;
    let engine = Engine::new(crate::kinds::standard());
    let chosen = selection
        .resolve(&engine, &state())?
        .expect("a partial selection");
    assert_eq!(chosen.selection, selection.to_string());
    Ok(chosen
        .targets
        .iter()
        .map(|t| match &t.key {
            crate::events::EventKey::Name(name) => format!("{}/{name}", t.kind),
            crate::events::EventKey::Id(id) => panic!("an id target: {id}"),
        })
        .collect())
}

fn error(targets: &[&str], selectors: &[&str]) -> String {
    chosen(targets, selectors)
        .expect_err("the selection is refused")
        .to_string()
}

#[test]
fn no_target_and_no_selector_is_every_resource() {
    let selection = Selection::parse(&[], &[]).expect("parses");
    assert!(selection.is_everything());
    let engine = Engine::new(crate::kinds::standard());
    assert!(selection.resolve(&engine, &state()).expect("ok").is_none());
}

#[test]
fn a_target_is_chosen_alone_or_with_what_it_depends_on() {
    assert_eq!(
        chosen(&["EcrRepository/afu9/mcp-github"], &[]).expect("ok"),
        ["EcrRepository/afu9/mcp-github"]
    );
    assert_eq!(
        chosen(&["IamRole/app"], &[]).expect("ok"),
        ["IamPolicy/app-read", "IamRole/app"]
    );
    assert_eq!(
        chosen(
            &["ecrrepository/afu9/control-center", "IamPolicy/app-read"],
            &[]
        )
        .expect("ok"),
        ["EcrRepository/afu9/control-center", "IamPolicy/app-read"]
    );
}

#[test]
fn selectors_choose_by_label_and_bring_dependencies_whatever_their_labels() {
    assert_eq!(
        chosen(&[], &["team=data"]).expect("ok"),
        ["EcrRepository/afu9/mcp-github", "IamPolicy/app-read"]
    );
    assert_eq!(
        chosen(&[], &["team==web,tier"]).expect("ok"),
        ["IamPolicy/app-read", "IamRole/app"]
    );
    assert_eq!(
        chosen(&[], &["team!=web", "!tier"]).expect("ok"),
        ["EcrRepository/afu9/mcp-github", "IamPolicy/app-read"]
    );
    assert_eq!(
        chosen(
            &["EcrRepository/afu9/control-center", "IamRole/app"],
            &["!tier"]
        )
        .expect("ok"),
        ["EcrRepository/afu9/control-center"]
    );
}

#[test]
fn an_unknown_kind_lists_the_kinds() {
    let message = error(&["EcrRepo/afu9/control-center"], &[]);
    assert!(message.contains("there is no kind `EcrRepo`;"), "{message}");
    for kind in afu9_spec::KINDS {
        assert!(message.contains(kind), "{kind} missing from: {message}");
    }
}

#[test]
fn a_name_without_its_kind_suggests_the_kind() {
    let message = error(&["afu9/mcp-github"], &[]);
    assert!(
        message.contains("there is no kind `afu9` (did you mean EcrRepository/afu9/mcp-github?)"),
        "{message}"
    );
}

#[test]
fn an_unknown_name_suggests_the_closest() {
    let message = error(&["EcrRepository/afu9/control-centre"], &[]);
    assert!(
        message.ends_with("did you mean EcrRepository/afu9/control-center?"),
        "{message}"
    );
    let message = error(&["IamPolicy/app"], &[]);
    assert!(message.ends_with("did you mean IamRole/app?"), "{message}");
    let message = error(&["EcrRepository/something-else-entirely"], &[]);
    assert!(
        message.ends_with("the EcrRepository manifests are afu9/control-center, afu9/mcp-github"),
        "{message}"
    );
    let message = error(&["SnsTopic/alerts"], &[]);
    assert!(
        message.ends_with("there is no SnsTopic manifest"),
        "{message}"
    );
}

#[test]
fn malformed_targets_and_selectors_are_refused() {
    for target in ["EcrRepository", "/name", "EcrRepository/"] {
        let message = error(&[target], &[]);
        assert!(message.contains("is not KIND/NAME"), "{target}: {message}");
    }
    for bad in [
        "",
        "team=web,,tier",
        "=web",
        "team=a b",
        "te am",
        "!",
        "team=a=b",
    ] {
        let message = error(&[], &[bad]);
        assert!(
            message.starts_with(&format!("-l `{bad}` is not a label selector")),
            "{bad}: {message}"
        );
    }
}

#[test]
fn a_selection_that_matches_nothing_says_which_labels_exist() {
    let message = error(&[], &["team=ops"]);
    assert_eq!(
        message,
        "-l team=ops matches no manifest; the manifests' label keys are team, tier"
    );
    let message = error(&["EcrRepository/afu9/mcp-github"], &["team=web"]);
    assert!(
        message
            .starts_with("--target EcrRepository/afu9/mcp-github -l team=web matches no manifest"),
        "{message}"
    );
}

#[test]
fn requirements_parse_and_match_as_kubectl_reads_them() {
    let parsed = selector::parse("a=1, b!=2,c,!d,e==5").expect("parses");
    assert_eq!(
        parsed,
        [
            Requirement::Equals("a".into(), "1".into()),
            Requirement::NotEquals("b".into(), "2".into()),
            Requirement::Exists("c".into()),
            Requirement::Absent("d".into()),
            Requirement::Equals("e".into(), "5".into()),
        ]
    );
    let labels = [("a".to_owned(), "1".to_owned())].into_iter().collect();
    assert!(Requirement::NotEquals("b".into(), "2".into()).matches(&labels));
    assert!(!Requirement::NotEquals("a".into(), "1".into()).matches(&labels));
    assert!(!Requirement::Exists("b".into()).matches(&labels));
    assert!(Requirement::Equals("a".into(), "1".into()).matches(&labels));
}

#[test]
fn distance_counts_edits() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("same", "same"), 0);
}
