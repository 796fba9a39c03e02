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
