//! `afu9ctl import`: manifests for live resources, written as `desired-state/` holds them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use afu9_controller::aws::{Aws, AwsSettings};
use afu9_controller::engine::{Engine, ImportRequest, Imported};
use anyhow::Context;

use super::args::{Cli, ImportArgs};
use super::{EXIT_ERROR, EXIT_OK, print};

/// The first line of every file, as in `desired-state/`.
const MODELINE: &str = "# yaml-language-server: $schema=./schema.json\n";

/// `afu9ctl import`.
pub fn import(cli: &Cli, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let request = request(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = Instant::now();
    let (imported, failed) = runtime.block_on(async {
        let settings = AwsSettings {
            endpoint_url: cli.endpoint_url.clone(),
            region: cli.region.clone(),
        };
        let aws = Aws::connect(&settings).await?;
        let engine = Engine::new(afu9_controller::kinds::standard());
        anyhow::Ok(engine.import(&aws, &request).await)
    })?;
    let files = write(&args.output_dir, &imported)?;
    print(&format!(
        "imported {} resources into {} files in {} in {:.2}s\n",
        imported.len(),
        files,
        args.output_dir.display(),
        started.elapsed().as_secs_f64()
    ));
    for err in &failed {
        eprintln!("error: {err}");
    }
    Ok(ExitCode::from(if failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }))
}

/// The selectors and prefix as the engine takes them; an unknown kind is an error.
fn request(args: &ImportArgs) -> anyhow::Result<ImportRequest> {
    let selectors = args
        .selectors
        .iter()
        .map(|selector| {
            let (kind, name) = match selector.split_once('/') {
                Some((kind, name)) => (kind, Some(name.to_owned())),
                None => (selector.as_str(), None),
            };
            anyhow::ensure!(
                afu9_spec::KINDS.contains(&kind),
                "unknown kind `{kind}` in `{selector}` (one of {})",
                afu9_spec::KINDS.join(", ")
            );
            Ok((kind.to_owned(), name))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ImportRequest {
        selectors,
        name_prefix: args.name_prefix.clone(),
    })
}

/// Writes one file per area (documents separated by `---`) and the schema they name;
/// returns how many manifest files were written.
fn write(dir: &Path, imported: &[Imported]) -> anyhow::Result<usize> {
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for document in imported {
        let text = files
            .entry(document.file)
            .or_insert_with(|| MODELINE.to_owned());
        if text.len() > MODELINE.len() {
            text.push_str("---\n");
        }
        let _ = write!(text, "{}", document.yaml);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (file, text) in &files {
        let path = dir.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let schema = dir.join("schema.json");
    std::fs::write(&schema, afu9_spec::schema::manifest_schema_json())
        .with_context(|| format!("cannot write {}", schema.display()))?;
    Ok(files.len())
}
