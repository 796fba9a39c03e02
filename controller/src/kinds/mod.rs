//! The resource kinds: each observes its AWS resources, plans purely, and applies ops.

pub mod ecr;
pub mod ecs;
pub mod iam;
pub mod secrets;
pub mod sg;
