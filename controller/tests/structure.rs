//! The shape of the code, checked: inside every folder of the controller's source the files
//! depend on each other without a cycle (the top-level modules too), the leaves (`aws`, `plan`,
//! `events`, `diff`, `refs`) and the engine name no kind, kinds never import kinds (only their
//! own files, `refs` and the shared top-level modules), and no source file (tests aside) grows
//! past the size one concept fits in.
//!
//! Dependencies are read from the source, in code outside test modules (`tests.rs` files,
//! `#[cfg(test)] mod tests { … }`, modules declared under `#[cfg(test)]`), comments and string
//! literals: every `use` tree and every path that starts with `crate::`, `super::` or `self::`,
//! resolved to the module it names. Inside a folder, a file depends on a sibling (a file, or a
//! subfolder as a whole) when it names the sibling's module or an item the folder's own module
//! file (`mod.rs`, `lib.rs`) re-exports from it. The folder's module file is the folder itself:
//! what it names of its children is not a dependency, and what names it is none either.
//!
//! The checks are functions over an in-memory tree of sources; the tests at the end plant
//! violations in a made-up tree and assert they are reported.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a non-test source file may be.
const MAX_LINES: usize = 500;

/// The top-level modules a kind may name besides its own files (and `refs`).
const KIND_MAY_USE: &[&str] = &[
    "aws",
    "diff",
    "engine",
    "events",
    "permissions",
    "plan",
    "refs",
];

/// The top-level modules `refs`, the leaf of cross-kind references, may name.
const REFS_MAY_USE: &[&str] = &["aws", "diff", "events", "permissions", "plan", "refs"];

fn root() -> PathBuf {
    afu9_e2e::repo_root()
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
fn without_inline_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(index) => &text[..index],
        None => text,
    }
}

/// The file's code without its inline test module; `None` for a `tests.rs` file.
fn non_test_code(path: &Path) -> Option<String> {
    if path.file_name().is_some_and(|name| name == "tests.rs") {
        return None;
    }
    let text = fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    Some(without_inline_tests(&text).to_owned())
}

/// A crate's sources: path relative to `src` (`kinds/ecr/plan.rs`) → the whole text.
type Tree = BTreeMap<String, String>;

/// The controller's sources.
fn controller_tree() -> Tree {
    let src = root().join("controller/src");
    sources(&src)
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).expect("under src");
            let name = relative.to_str().expect("UTF-8 path").replace('\\', "/");
            let text = fs::read_to_string(&path).expect("readable source");
            (name, text)
        })
        .collect()
}

/// A module path: `["kinds", "ecr", "plan"]`; the crate root is empty.
type ModPath = Vec<String>;

/// The module a file is: `kinds/ecr/plan.rs` and `kinds/ecr/plan/mod.rs` → `kinds::ecr::plan`,
/// `lib.rs` and `main.rs` → the root (the binary's modules do not meet the library's names).
fn module_of(file: &str) -> ModPath {
    let mut parts: ModPath = file.split('/').map(str::to_owned).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

/// The folder a file is in (`""` for the source root).
fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The module a folder is (`kinds/ecr/plan` → `kinds::ecr::plan`).
fn folder_module(folder: &str) -> ModPath {
    folder
        .split('/')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The code with comments and string and character literals blanked out.
fn strip_comments_and_strings(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < chars.len() {
        let at = |j: usize| chars.get(j).copied().unwrap_or(' ');
        if chars[i] == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if chars[i] == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                i += 1;
            }
            i += 2;
        } else if chars[i] == 'r' && raw_string_at(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let start = i + 2 + hashes;
            let body: String = chars[start.min(chars.len())..].iter().collect();
            i = start
                + body
                    .find(&close)
                    .map_or(body.len(), |end| body[..end].chars().count());
            i += close.chars().count();
            out.push_str("\"\"");
        } else if chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if chars[i] == '\'' && (at(i + 2) == '\'' || at(i + 1) == '\\') {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Whether a raw string (`r"…"`, `br#"…"#`) starts with the `r` at `i`.
fn raw_string_at(chars: &[char], i: usize) -> bool {
    let word_start = |j: usize| j == 0 || !is_ident(chars[j - 1]);
    let prefix = word_start(i) || (i > 0 && chars[i - 1] == 'b' && word_start(i - 1));
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    prefix && chars.get(i + 1 + hashes) == Some(&'"')
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Where the word `word` starts in `code` (not inside a longer identifier).
fn word_starts(code: &str, word: &str) -> Vec<usize> {
    code.match_indices(word)
        .map(|(index, _)| index)
        .filter(|&index| {
            let before = code[..index]
                .chars()
                .next_back()
                .is_none_or(|c| !is_ident(c));
            let after = code[index + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_ident(c));
            before && after
        })
        .collect()
}

/// The leaves of a `use` tree (`super::status::{self, Tally as T}`): each path, and the name
/// it is known by where it is imported (`*` for a glob).
fn use_leaves(tree: &str) -> Vec<(Vec<String>, String)> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in tree.chars() {
        if is_ident(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if matches!(c, '{' | '}' | ',' | '*') {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut leaves = Vec::new();
    let mut position = 0;
    parse_tree(&tokens, &mut position, &[], &mut leaves);
    leaves
}

/// Parses one tree of `tokens` (`::` dropped: a path is a run of words) after `prefix`.
fn parse_tree(
    tokens: &[String],
    position: &mut usize,
    prefix: &[String],
    leaves: &mut Vec<(Vec<String>, String)>,
) {
    let mut path = prefix.to_vec();
    while let Some(token) = tokens.get(*position) {
        match token.as_str() {
            "{" => {
                *position += 1;
                while tokens.get(*position).is_some_and(|t| t != "}") {
                    parse_tree(tokens, position, &path, leaves);
                    if tokens.get(*position).is_some_and(|t| t == ",") {
                        *position += 1;
                    }
                }
                *position += 1;
                return;
            }
            "}" | "," => break,
            "*" => {
                *position += 1;
                leaves.push((path, "*".to_owned()));
                return;
            }
            "as" => {
                *position += 1;
                let alias = tokens.get(*position).cloned().unwrap_or_default();
                *position += 1;
                leaves.push((path, alias));
                return;
            }
            "self" if !path.is_empty() && *position > 0 => {
                *position += 1;
                let name = path.last().cloned().unwrap_or_default();
                if tokens.get(*position).is_some_and(|t| t == "as") {
                    continue;
                }
                leaves.push((path, name));
                return;
            }
            word => {
                path.push(word.to_owned());
                *position += 1;
            }
        }
    }
    if path.len() > prefix.len() {
        let name = path.last().cloned().unwrap_or_default();
        leaves.push((path, name));
    }
}

/// Every path the code names, as written: the leaves of its `use` trees (with the name each is
/// imported as) and every other path that starts with `crate`, `super` or `self`.
fn named_paths(code: &str) -> Vec<(Vec<String>, String)> {
    let code = strip_comments_and_strings(code);
    let mut paths = Vec::new();
    let mut in_use = Vec::new();
    for start in word_starts(&code, "use") {
        let end = code[start..]
            .find(';')
            .map_or(code.len(), |end| start + end);
        paths.extend(use_leaves(&code[start + "use".len()..end]));
        in_use.push(start..end);
    }
    for first in ["crate", "super", "self"] {
        for start in word_starts(&code, first) {
            if in_use.iter().any(|range| range.contains(&start))
                || code[..start].trim_end().ends_with("::")
                || !code[start + first.len()..].starts_with("::")
            {
                continue;
            }
            let text: String = code[start..]
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect();
            let path: Vec<String> = text
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let name = path.last().cloned().unwrap_or_default();
            paths.push((path, name));
        }
    }
    paths
}

/// The crate's modules, and the files that are test code (`tests.rs`, modules declared under
/// `#[cfg(test)]`).
struct Modules {
    all: BTreeSet<ModPath>,
    test_only: BTreeSet<ModPath>,
}

impl Modules {
    fn of(tree: &Tree) -> Self {
        let all = tree.keys().map(|file| module_of(file)).collect();
        let mut test_only = BTreeSet::new();
        for (file, text) in tree {
            for start in word_starts(text, "cfg") {
                let after = &text[start..];
                let Some(rest) = after.strip_prefix("cfg(test)]") else {
                    continue;
                };
                let declaration: String = rest
                    .chars()
                    .take_while(|c| *c != ';' && *c != '{')
                    .collect();
                let words: Vec<&str> = declaration.split_whitespace().collect();
                if let Some(index) = words.iter().position(|w| *w == "mod") {
                    let mut module = module_of(file);
                    module.push(words.get(index + 1).copied().unwrap_or_default().to_owned());
                    test_only.insert(module);
                }
            }
        }
        Self { all, test_only }
    }

    fn is_test(&self, file: &str) -> bool {
        let module = module_of(file);
        file.ends_with("/tests.rs") || self.test_only.iter().any(|t| module.starts_with(t))
    }

    /// The module `path`, written in the module `from`, names (`None`: another crate's).
    fn resolve(&self, from: &[String], path: &[String]) -> Option<ModPath> {
        let (first, rest) = path.split_first()?;
        let (mut base, rest): (ModPath, &[String]) = match first.as_str() {
            "crate" => (Vec::new(), rest),
            "self" => (from.to_vec(), rest),
            "super" => (from[..from.len().saturating_sub(1)].to_vec(), rest),
            // A path relative to the module: one of its children's, else another crate's.
            name => {
                let mut child = from.to_vec();
                child.push(name.to_owned());
                if !self.all.contains(&child) {
                    return None;
                }
                (from.to_vec(), path)
            }
        };
        for segment in rest {
            match segment.as_str() {
                "super" => {
                    base.pop();
                }
                "self" | "*" => {}
                name => base.push(name.to_owned()),
            }
        }
        Some(base)
    }
}

/// What each non-test file names: the module paths, resolved, with the names imported.
fn references(tree: &Tree, modules: &Modules) -> BTreeMap<String, Vec<(ModPath, String)>> {
    tree.iter()
        .filter(|(file, _)| !modules.is_test(file))
        .map(|(file, text)| {
            let from = module_of(file);
            let named = named_paths(without_inline_tests(text))
                .into_iter()
                .filter_map(|(path, name)| Some((modules.resolve(&from, &path)?, name)))
                .collect();
            (file.clone(), named)
        })
        .collect()
}

/// A dependency graph: node → the nodes it depends on.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// One folder's graph: its child modules (a file, or a subfolder with its module file) and which
/// depends on which.
struct FolderGraph {
    folder: String,
    graph: Graph,
}

impl FolderGraph {
    /// How a child module is shown: its file, or its folder.
    fn shown(&self, tree: &Tree, unit: &str) -> String {
        let prefix = if self.folder.is_empty() {
            String::new()
        } else {
            format!("{}/", self.folder)
        };
        let file = format!("{prefix}{unit}.rs");
        if tree.contains_key(&file) {
            file
        } else {
            format!("{prefix}{unit}/")
        }
    }
}

/// The graph inside every folder of `tree`.
fn folder_graphs(tree: &Tree) -> Vec<FolderGraph> {
    let modules = Modules::of(tree);
    let references = references(tree, &modules);
    let folders: BTreeSet<&str> = tree.keys().map(|file| folder_of(file)).collect();
    let mut graphs = Vec::new();
    for folder in folders {
        let module = folder_module(folder);
        let depth = module.len();
        let units: BTreeSet<String> = modules
            .all
            .iter()
            .filter(|m| m.len() > depth && m.starts_with(&module))
            .map(|m| m[depth].clone())
            .collect();
        // Names the folder's own module files import from a child, re-exported or not.
        let mut exported: BTreeMap<String, String> = BTreeMap::new();
        for (file, named) in &references {
            if module_of(file) == module {
                for (path, name) in named {
                    if path.len() > depth
                        && path.starts_with(&module)
                        && units.contains(&path[depth])
                    {
                        exported.insert(name.clone(), path[depth].clone());
                    }
                }
            }
        }
        let mut graph: Graph = units.iter().map(|u| (u.clone(), BTreeSet::new())).collect();
        for (file, named) in &references {
            let from = module_of(file);
            if from.len() <= depth || !from.starts_with(&module) {
                continue;
            }
            for (path, _) in named {
                if path.len() <= depth || !path.starts_with(&module) {
                    continue;
                }
                let target = &path[depth];
                let target = if units.contains(target) {
                    Some(target)
                } else {
                    exported.get(target)
                };
                if let Some(target) = target.filter(|t| **t != from[depth]) {
                    graph
                        .get_mut(&from[depth])
                        .expect("a unit")
                        .insert(target.clone());
                }
            }
        }
        graphs.push(FolderGraph {
            folder: folder.to_owned(),
            graph,
        });
    }
    graphs
}

/// A cycle in `graph`, if there is one, as the path that closes it.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
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

/// Every cycle inside a folder of `tree`, as the files that close it, one per circle of files
/// that reach each other.
fn folder_cycles(tree: &Tree) -> Vec<String> {
    let mut cycles = Vec::new();
    for folder in folder_graphs(tree) {
        let mut graph = folder.graph.clone();
        while let Some(cycle) = find_cycle(&graph) {
            // The whole circle: every node the cycle's first node reaches and is reached by.
            let reaches = |from: &str| {
                let mut seen = BTreeSet::from([from.to_owned()]);
                let mut pending = vec![from.to_owned()];
                while let Some(node) = pending.pop() {
                    for next in graph.get(&node).into_iter().flatten() {
                        if seen.insert(next.clone()) {
                            pending.push(next.clone());
                        }
                    }
                }
                seen
            };
            let circle: BTreeSet<String> = reaches(&cycle[0])
                .into_iter()
                .filter(|node| reaches(node).contains(&cycle[0]))
                .collect();
            let files: Vec<String> = cycle.iter().map(|u| folder.shown(tree, u)).collect();
            cycles.push(files.join(" -> "));
            for node in &circle {
                graph.remove(node);
            }
            for next in graph.values_mut() {
                next.retain(|n| !circle.contains(n));
            }
        }
    }
    cycles
}

/// Every path a kind names outside its own folder other than `refs` and the shared top-level
/// modules (another kind above all), and every path `refs` names outside its leaves.
fn reference_violations(tree: &Tree) -> Vec<String> {
    let modules = Modules::of(tree);
    let references = references(tree, &modules);
    let kinds: BTreeSet<ModPath> = references
        .keys()
        .filter(|file| file.starts_with("kinds/"))
        .filter(|file| without_inline_tests(&tree[*file]).contains("impl ManagedKind for"))
        .map(|file| folder_module(folder_of(file)))
        .collect();
    let mut violations = Vec::new();
    for (file, named) in &references {
        let module = module_of(file);
        let kind = kinds.iter().find(|kind| module.starts_with(kind));
        for (path, _) in named {
            let top = path.first().map_or("", String::as_str);
            let shown = format!("crate::{}", path.join("::"));
            if let Some(kind) = kind {
                let own = path.starts_with(kind);
                if !own && (top == "kinds" || !KIND_MAY_USE.contains(&top)) {
                    violations.push(format!(
                        "{file} (kind {}) names {shown}: a kind names only its own files, crate::refs and {KIND_MAY_USE:?}",
                        kind.join("::")
                    ));
                }
            } else if module.first().is_some_and(|m| m == "refs") && !REFS_MAY_USE.contains(&top) {
                violations.push(format!(
                    "{file} names {shown}: refs names no kind, only {REFS_MAY_USE:?}"
                ));
            }
        }
    }
    violations.sort();
    violations.dedup();
    violations
}

/// Which top-level modules of the library each top-level module names.
fn module_graph(tree: &Tree) -> Graph {
    let mut graphs = folder_graphs(tree);
    let top = graphs
        .iter()
        .position(|g| g.folder.is_empty())
        .expect("the source root");
    let mut graph = graphs.swap_remove(top).graph;
    graph.remove("cli");
    graph
}

#[test]
fn the_controller_s_modules_have_no_dependency_cycle() {
    let graph = module_graph(&controller_tree());
    assert!(
        graph.contains_key("engine") && graph.contains_key("kinds"),
        "{graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "module graph: {graph:#?}");
}

#[test]
fn no_folder_has_a_file_dependency_cycle() {
    let tree = controller_tree();
    let graphs = folder_graphs(&tree);
    assert!(
        graphs
            .iter()
            .any(|g| g.folder == "daemon" && g.graph.len() > 5),
        "the daemon folder is read"
    );
    let cycles = folder_cycles(&tree);
    assert!(
        cycles.is_empty(),
        "file cycles inside a folder: {cycles:#?}"
    );
}

#[test]
fn kinds_never_import_kinds_and_refs_names_no_kind() {
    let violations = reference_violations(&controller_tree());
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_plan_values_the_sdk_glue_and_the_engine_name_no_kind() {
    let graph = module_graph(&controller_tree());
    for module in ["aws", "plan", "engine", "diff", "events", "refs"] {
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

/// The checks themselves, on made-up trees with violations planted in them.
mod checks {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        files
            .iter()
            .map(|(file, text)| ((*file).to_owned(), (*text).to_owned()))
            .collect()
    }

    #[test]
    fn use_trees_and_inline_paths_are_read_and_comments_and_strings_are_not() {
        let code = "use super::status::{self, Tally as T, now};\nuse crate::{aws::Aws, plan::*};\n// use crate::kinds::ecr;\nfn f() { let s = \"crate::kinds::ecr\"; super::super::apply::Op::new(crate::refs::iam::role_arn()); let c = '\"'; }\n";
        let paths: Vec<String> = named_paths(code)
            .into_iter()
            .map(|(path, name)| format!("{} as {name}", path.join("::")))
            .collect();
        assert_eq!(
            paths,
            [
                "super::status as status",
                "super::status::Tally as T",
                "super::status::now as now",
                "crate::aws::Aws as Aws",
                "crate::plan as *",
                "crate::refs::iam::role_arn as role_arn",
                "super::super::apply::Op::new as new",
            ]
        );
    }

    #[test]
    fn a_planted_two_file_cycle_inside_a_folder_is_reported() {
        let planted = tree(&[
            ("lib.rs", "pub mod daemon;\n"),
            (
                "daemon/mod.rs",
                "mod hold;\nmod record;\nmod shared;\npub use record::Tally;\nfn run() { hold::f(); }\n",
            ),
            (
                "daemon/hold.rs",
                "use super::shared::Shared;\nuse super::run;\n",
            ),
            (
                "daemon/shared.rs",
                "use super::Tally;\npub struct Shared;\n",
            ),
            (
                "daemon/record.rs",
                "use super::hold::Held;\npub struct Tally;\n",
            ),
        ]);
        assert_eq!(
            folder_cycles(&planted),
            ["daemon/hold.rs -> daemon/shared.rs -> daemon/record.rs -> daemon/hold.rs"]
        );
        let two = tree(&[
            ("lib.rs", "pub mod engine;\npub mod daemon;\n"),
            ("daemon/mod.rs", "mod a;\nmod b;\n"),
            ("daemon/a.rs", "pub fn a() { crate::daemon::b::b() }\n"),
            ("daemon/b.rs", "use super::a;\npub fn b() {}\n"),
        ]);
        assert_eq!(
            folder_cycles(&two),
            ["daemon/a.rs -> daemon/b.rs -> daemon/a.rs"]
        );
        let untied = tree(&[
            ("lib.rs", "pub mod daemon;\n"),
            (
                "daemon/mod.rs",
                "mod a;\nmod b;\npub struct Root;\nfn f() { a::A; b::B; }\n",
            ),
            (
                "daemon/a.rs",
                "use super::b::B;\n// super::b and crate::daemon::a\n",
            ),
            (
                "daemon/b.rs",
                "use super::Root; // the folder's module file's own item\n#[cfg(test)]\nmod tests {\n    use super::super::a::A;\n}\n",
            ),
        ]);
        assert!(
            folder_cycles(&untied).is_empty(),
            "the folder's module file, comments and tests tie nothing: {:?}",
            folder_cycles(&untied)
        );
        let nested = tree(&[
            ("lib.rs", "pub mod kinds;\n"),
            ("kinds/mod.rs", "pub mod lb;\n"),
            ("kinds/lb/mod.rs", "mod apply;\nmod plan;\n"),
            ("kinds/lb/apply.rs", "use super::plan::listeners::Rule;\n"),
            ("kinds/lb/plan.rs", "mod listeners;\n"),
            (
                "kinds/lb/plan/listeners.rs",
                "use super::super::apply::Op;\n",
            ),
        ]);
        assert_eq!(
            folder_cycles(&nested),
            ["kinds/lb/apply.rs -> kinds/lb/plan.rs -> kinds/lb/apply.rs"]
        );
    }

    #[test]
    fn a_planted_circle_in_the_engine_is_reported() {
        let mut engine = tree(&[
            ("lib.rs", "pub mod engine;\n"),
            ("engine/mod.rs", "mod decide;\nmod kind;\nmod registry;\n"),
            ("engine/registry.rs", "use super::decide::plan_resource;\n"),
            ("engine/decide.rs", "use super::kind::ManagedKind;\n"),
            ("engine/kind.rs", "pub trait ManagedKind {}\n"),
        ]);
        assert!(folder_cycles(&engine).is_empty());
        engine.insert(
            "engine/kind.rs".to_owned(),
            "use super::registry::Kind;\npub trait ManagedKind {}\n".to_owned(),
        );
        assert_eq!(
            folder_cycles(&engine),
            ["engine/decide.rs -> engine/kind.rs -> engine/registry.rs -> engine/decide.rs"]
        );
    }

    #[test]
    fn a_planted_kind_naming_another_kind_is_reported() {
        let planted = tree(&[
            (
                "lib.rs",
                "pub mod kinds;\npub mod refs;\npub mod engine;\npub mod daemon;\n",
            ),
            (
                "kinds/mod.rs",
                "pub mod ecr;\npub mod iam;\npub mod sns_topic;\n",
            ),
            (
                "kinds/ecr/mod.rs",
                "use crate::engine::ManagedKind;\nimpl ManagedKind for Ecr {}\n",
            ),
            (
                "kinds/sns_topic/mod.rs",
                "mod observe;\nimpl ManagedKind for Sns {}\n",
            ),
            (
                "kinds/sns_topic/observe.rs",
                "use crate::kinds::ecr;\nuse crate::refs::kms::key_dependency;\nuse super::Sns;\n",
            ),
            (
                "kinds/iam/mod.rs",
                "pub mod policy;\npub mod role;\npub fn shared() {}\n",
            ),
            (
                "kinds/iam/policy/mod.rs",
                "impl ManagedKind for Policies {}\n",
            ),
            (
                "kinds/iam/role/mod.rs",
                "mod prune;\nimpl ManagedKind for Roles {}\n",
            ),
            (
                "kinds/iam/role/prune.rs",
                "fn f() { super::super::policy::arn(); super::super::shared(); crate::daemon::x(); }\n#[cfg(test)]\nmod tests {\n    use crate::kinds::ecr;\n}\n",
            ),
            ("refs/mod.rs", "pub mod ecs;\n"),
            (
                "refs/ecs.rs",
                "use crate::kinds::ecs::role_name;\nuse crate::aws::AwsError;\n",
            ),
        ]);
        assert_eq!(
            reference_violations(&planted),
            [
                "kinds/iam/role/prune.rs (kind kinds::iam::role) names crate::daemon::x: a kind names only its own files, crate::refs and [\"aws\", \"diff\", \"engine\", \"events\", \"permissions\", \"plan\", \"refs\"]",
                "kinds/iam/role/prune.rs (kind kinds::iam::role) names crate::kinds::iam::policy::arn: a kind names only its own files, crate::refs and [\"aws\", \"diff\", \"engine\", \"events\", \"permissions\", \"plan\", \"refs\"]",
                "kinds/iam/role/prune.rs (kind kinds::iam::role) names crate::kinds::iam::shared: a kind names only its own files, crate::refs and [\"aws\", \"diff\", \"engine\", \"events\", \"permissions\", \"plan\", \"refs\"]",
                "kinds/sns_topic/observe.rs (kind kinds::sns_topic) names crate::kinds::ecr: a kind names only its own files, crate::refs and [\"aws\", \"diff\", \"engine\", \"events\", \"permissions\", \"plan\", \"refs\"]",
                "refs/ecs.rs names crate::kinds::ecs::role_name: refs names no kind, only [\"aws\", \"diff\", \"events\", \"permissions\", \"plan\", \"refs\"]",
            ]
        );
    }
}
