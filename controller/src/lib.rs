//! afu9-posture's controller: observes AWS, diffs it against the desired state, plans and
//! applies the changes. The CLI (`afu9ctl`) is a thin edge over this library.
//!
//! Flow of one pass: [`afu9_spec::load_paths`] → [`engine::check_target`] →
//! [`engine::Engine::plan`] (observe + pure diff per kind) → [`render`] →
//! [`engine::Engine::apply`] (exactly the plan's operations). [`select`] narrows a pass to
//! the resources `--target` and `-l` choose; [`notify`] tells an SNS topic and webhooks what
//! `run` found and did.

pub mod aws;
pub mod daemon;
pub mod diff;
pub mod engine;
pub mod events;
pub mod kinds;
pub mod notify;
pub mod permissions;
pub mod plan;
pub mod reference;
pub mod refs;
pub mod render;
pub mod report;
pub mod securityhub;
pub mod select;

/// The repository's root, for unit tests: read at run time (cargo sets `CARGO_MANIFEST_DIR`
/// when it runs a test) so that a test binary reused from a clone at another path (one
/// target directory serves every clone) reads this clone's files, not that one's.
#[cfg(test)]
pub(crate) fn repo_root() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(
            || env!("CARGO_MANIFEST_DIR").into(),
            std::path::PathBuf::from,
        )
        .join("..")
}
