//! The IAM kinds, `IamPolicy` and `IamRole`: two kinds in one area folder. What they share
//! (document comparison, IAM tags, retries while IAM catches up) and the ARNs other kinds
//! name them by are in `crate::refs::iam`, so neither kind imports the other or this folder.

pub mod policy;
pub mod role;
