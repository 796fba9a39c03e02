//! A service's task-definition reference, as ECS reports it: the revision's ARN,
//! `family:revision`, or a bare `family` (the latest ACTIVE revision). Read by the plan (is the
//! service on the latest revision?) and by the superseded revisions (is this one in use?).

/// Whether a service's task definition (ARN, `family:revision` or bare `family`, which ECS
/// resolves to the latest ACTIVE revision) is `family`'s revision `revision`.
pub(super) fn runs_revision(running: &str, family: &str, revision: i32) -> bool {
    let reference = running.rsplit('/').next().unwrap_or(running);
    match reference.rsplit_once(':') {
        Some((name, number)) => name == family && number.parse::<i32>().ok() == Some(revision),
        None => reference == family,
    }
}
