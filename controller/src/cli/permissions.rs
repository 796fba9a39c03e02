//! `afu9ctl permissions`: the controller's own least-privilege IAM policy for the desired
//! state. Makes no AWS call.

use std::process::ExitCode;

use afu9_controller::engine::{Engine, PolicyOptions};
use afu9_controller::permissions::{self, ArnScope, Mode};

use super::args::{Cli, PermissionsArgs, PermissionsFormat, PermissionsMode};
use super::{EXIT_ERROR, EXIT_OK, print};

/// Prints the policy `plan` (or `apply`) needs for the manifests in `cli.files`.
pub fn permissions(cli: &Cli, args: &PermissionsArgs) -> ExitCode {
    let state = match afu9_spec::load_paths(&cli.files) {
        Ok(state) => state,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let scope = ArnScope::new(&state, args.account.as_deref(), cli.region.as_deref());
    let mode = match args.mode {
        PermissionsMode::Plan => Mode::Plan,
        PermissionsMode::Apply => Mode::Apply,
    };
    let options = PolicyOptions {
        security_hub: args.security_hub,
        prune: args.prune,
        lease_table: args.lease_table.clone(),
    };
    let policy =
        Engine::new(afu9_controller::kinds::standard()).permissions(&state, &scope, mode, &options);
    print(&match args.output {
        PermissionsFormat::Json => permissions::json(&policy),
        PermissionsFormat::Text => permissions::text(&policy),
    });
    ExitCode::from(EXIT_OK)
}
