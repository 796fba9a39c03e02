//! `afu9ctl docs reference`: writes the generated reference (hidden from `--help`; the
//! repository's docs are regenerated with it).

use std::process::ExitCode;

use afu9_controller::reference;

use super::args::{DocsArgs, DocsCommand};
use super::{EXIT_ERROR, EXIT_OK};

/// Generates and writes the documents `args` names.
pub fn docs(args: &DocsArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        DocsCommand::Reference { out, root } => {
            let pages = match reference::generate(root) {
                Ok(pages) => pages,
                Err(err) => {
                    eprintln!("error: {err}");
                    return Ok(ExitCode::from(EXIT_ERROR));
                }
            };
            reference::write(out, &pages)?;
            eprintln!("wrote {} pages to {}", pages.len(), out.display());
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}
