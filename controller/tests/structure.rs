//! The shape of the code, checked: the controller's top-level modules depend on each other
//! without a cycle, the leaves (`aws`, `plan`, `events`) and the engine name no kind, and no source
//! file (tests aside) grows past the size one concept fits in.
//!
//! Dependencies are read from the source: every `crate::<module>` and `super::` path that
//! leaves a top-level module, in code outside `#[cfg(test)]` modules and `tests.rs` files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a non-test source file may be.
const MAX_LINES: usize = 500;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the controller crate has a parent")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The file's code without its inline test module (by convention the file's last item).
fn non_test_code(path: &Path) -> Option<String> {
    if path.file_name().is_some_and(|name| name == "tests.rs") {
        return None;
    }
    let text = fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    Some(match text.find("#[cfg(test)]\nmod tests {") {
        Some(index) => text[..index].to_owned(),
        None => text,
    })
}

/// The top-level module of the controller library a file belongs to (`kinds` for
/// `src/kinds/ecr/plan.rs`); `None` for the crate root and the binary's own modules.
fn top_module(src: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_owned())
}

/// Which top-level modules each top-level module's code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("controller/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&src) {
        let (Some(module), Some(code)) = (top_module(&src, &path), non_test_code(&path)) else {
            continue;
        };
        assert!(
            !code.contains("crate::{"),
            "{}: write one `use crate::<module>::…` per module, so this check sees each",
            path.display()
        );
        let uses = graph.entry(module.clone()).or_default();
        for (index, _) in code.match_indices("crate::") {
            let rest = &code[index + "crate::".len()..];
            let target: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !target.is_empty() && target != module {
                uses.insert(target);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the path that closes it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_controller_s_modules_have_no_dependency_cycle() {
    let graph = module_graph();
    assert!(
        graph.contains_key("engine") && graph.contains_key("kinds"),
        "{graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "module graph: {graph:#?}");
}

#[test]
fn the_plan_values_the_sdk_glue_and_the_engine_name_no_kind() {
    let graph = module_graph();
    for module in ["aws", "plan", "engine", "diff", "events"] {
        let uses = &graph[module];
        assert!(!uses.contains("kinds"), "{module} names a kind: {uses:?}");
    }
    assert!(
        graph["aws"].is_empty(),
        "aws is the bottom leaf: {:?}",
        graph["aws"]
    );
    let plan: Vec<&String> = graph["plan"].iter().collect();
    assert_eq!(plan, ["aws"], "plan imports only the SDK glue");
    assert!(
        graph["events"].is_empty(),
        "events (declarations, parsing, batches) is a leaf: {:?}",
        graph["events"]
    );
}

#[test]
fn no_source_file_outside_tests_is_longer_than_one_concept_needs() {
    let root = root();
    let mut long = Vec::new();
    for crate_src in ["controller/src", "spec/src", "tests/src"] {
        for path in sources(&root.join(crate_src)) {
            if let Some(code) = non_test_code(&path) {
                let lines = code.lines().count();
                if lines > MAX_LINES {
                    long.push(format!("{} ({lines} lines)", path.display()));
                }
            }
        }
    }
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:#?}");
}
