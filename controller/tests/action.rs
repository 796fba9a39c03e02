//! The GitHub Action (`action.yml`) run step by step as the runner runs a composite action
//! (`bash --noprofile --norc -eo pipefail`, `${{ }}` expressions from inputs, `github.*` and
//! earlier steps' outputs), with the real `afu9ctl` against the emulator and a local server
//! speaking the GitHub REST calls the comment script makes: one comment, created then
//! updated; a plan over GitHub's comment limit cut between resources with a note; an invalid
//! desired state failing the job with SARIF results on the file and line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use afu9_e2e::{Emulator, repo_root};
use serde_json::{Value, json};

const TOKEN: &str = "ghs_test-token";
const REPOSITORY: &str = "afu9/desired-state";
const PR: u64 = 7;

/// The GitHub REST calls the script makes, over one pull request's comments, served on
/// 127.0.0.1. Comments are paged two at a time (the `Link` header), to make the script follow
/// pages.
#[derive(Clone, Default)]
struct FakeGitHub {
    comments: Arc<Mutex<Vec<Value>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeGitHub {
    fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let me = self.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                me.serve(stream, &base);
            }
        });
        url
    }

    fn serve(&self, mut stream: std::net::TcpStream, base: &str) {
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut length = 0;
        let mut authorized = false;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or(("", ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorized = value.trim() == format!("Bearer {TOKEN}"),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        self.requests
            .lock()
            .unwrap()
            .push(format!("{method} {target}"));
        let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (status, answer, link) = if authorized {
            self.answer(&method, &target, &payload, base)
        } else {
            (401, json!({"message": "Bad credentials"}), None)
        };
        let text = answer.to_string();
        let link = link.map(|l| format!("Link: {l}\r\n")).unwrap_or_default();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{link}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        );
    }

    fn answer(
        &self,
        method: &str,
        target: &str,
        payload: &Value,
        base: &str,
    ) -> (u16, Value, Option<String>) {
        let list = format!("/repos/{REPOSITORY}/issues/{PR}/comments");
        let mut comments = self.comments.lock().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        match method {
            "GET" if path == list => {
                let page: usize = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("page="))
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let start = (page - 1) * 2;
                let slice: Vec<Value> = comments.iter().skip(start).take(2).cloned().collect();
                let next = (start + 2 < comments.len()).then(|| {
                    format!(
                        "<{base}{list}?per_page=100&page={}>; rel=\"next\"",
                        page + 1
                    )
                });
                (200, Value::Array(slice), next)
            }
            "POST" if path == list => {
                let id = 1000 + comments.len() as u64;
                let comment = json!({"id": id, "body": payload["body"]});
                comments.push(comment.clone());
                (201, comment, None)
            }
            "PATCH" => {
                let id: u64 = path
                    .strip_prefix(&format!("/repos/{REPOSITORY}/issues/comments/"))
                    .and_then(|id| id.parse().ok())
                    .unwrap_or(0);
                match comments.iter_mut().find(|c| c["id"] == id) {
                    Some(comment) => {
                        comment["body"] = payload["body"].clone();
                        (200, comment.clone(), None)
                    }
                    None => (404, json!({"message": "Not Found"}), None),
                }
            }
            _ => (404, json!({"message": "Not Found"}), None),
        }
    }

    fn ours(&self) -> Vec<Value> {
        self.comments
            .lock()
            .unwrap()
            .iter()
            .filter(|c| {
                c["body"]
                    .as_str()
                    .is_some_and(|b| b.contains("<!-- afu9-posture:plan -->"))
            })
            .cloned()
            .collect()
    }
}

/// What running the action's steps gave: each step's exit code, the outputs, the logs.
struct Run {
    codes: Vec<(String, i32)>,
    log: String,
}

impl Run {
    fn code(&self, step: &str) -> i32 {
        self.codes
            .iter()
            .find(|(id, _)| id == step)
            .map_or(-1, |(_, c)| *c)
    }
}

/// Runs `action.yml`'s steps in `workspace` as the runner would, stopping at the first that
/// fails.
fn run_action(workspace: &Path, emulator: &Emulator, api: &str) -> Run {
    let action: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml"),
    )
    .expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"], "composite");
    let temp = workspace.join(".runner-temp");
    std::fs::create_dir_all(&temp).expect("temp");
    let event = temp.join("event.json");
    std::fs::write(&event, json!({"pull_request": {"number": PR}}).to_string()).expect("event");
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    values.insert("github.token".into(), TOKEN.into());
    values.insert(
        "github.action_path".into(),
        repo_root().display().to_string(),
    );
    for (name, input) in action["inputs"].as_object().expect("inputs") {
        let default = expand(input["default"].as_str().unwrap_or(""), &values);
        values.insert(format!("inputs.{name}"), default);
    }
    values.insert(
        "inputs.afu9ctl".into(),
        env!("CARGO_BIN_EXE_afu9ctl").into(),
    );
    let mut run = Run {
        codes: Vec::new(),
        log: String::new(),
    };
    for step in action["runs"]["steps"].as_array().expect("steps") {
        let id = step["id"].as_str().expect("every step has an id");
        assert_eq!(step["shell"], "bash");
        let script = temp.join(format!("{id}.sh"));
        std::fs::write(&script, step["run"].as_str().expect("run")).expect("script");
        let output_file = temp.join(format!("{id}.out"));
        std::fs::write(&output_file, "").expect("output file");
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(emulator.env())
            .env("GITHUB_OUTPUT", &output_file)
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", REPOSITORY)
            .env("GITHUB_API_URL", api);
        for (name, value) in step["env"].as_object().into_iter().flatten() {
            command.env(name, expand(value.as_str().unwrap_or(""), &values));
        }
        let output = command.output().expect("run step");
        let _ = write!(
            run.log,
            "--- {id}\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for line in std::fs::read_to_string(&output_file)
            .unwrap_or_default()
            .lines()
        {
            if let Some((key, value)) = line.split_once('=') {
                values.insert(format!("steps.{id}.outputs.{key}"), value.to_owned());
            }
        }
        let code = output.status.code().unwrap_or(-1);
        run.codes.push((id.to_owned(), code));
        if code != 0 {
            break;
        }
    }
    run
}

/// Replaces each `${{ name }}` by its value (an unknown name is a test failure).
fn expand(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let name = rest[start + 3..end].trim();
        out.push_str(
            values
                .get(name)
                .unwrap_or_else(|| panic!("unknown expression {name}")),
        );
        rest = &rest[end + 2..];
    }
    out + rest
}

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-action-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("desired-state")).expect("workspace");
    dir
}

fn repository(name: &str, tags: usize) -> String {
    let tags = (0..tags).fold(String::new(), |mut out, i| {
        let _ = writeln!(
            out,
            "    tag-{i:02}: a-long-enough-tag-value-to-fill-the-plan-{i:02}"
        );
        out
    });
    format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata:\n  name: {name}\nspec:\n  scanOnPush: true\n  tagMutability: IMMUTABLE\n  tags:\n{tags}---\n"
    )
}

#[test]
fn the_plan_comment_is_created_once_then_updated_and_drift_does_not_fail_the_job() {
    let emulator = Emulator::start();
    let github = FakeGitHub::default();
    github.comments.lock().unwrap().extend([
        json!({"id": 1, "body": "LGTM"}),
        json!({"id": 2, "body": "a bot's comment"}),
        json!({"id": 3, "body": "another"}),
    ]);
    let api = github.start();
    let dir = workspace("update");
    std::fs::write(
        dir.join("desired-state/ecr.yaml"),
        repository("afu9/first", 1),
    )
    .expect("write");

    let first = run_action(&dir, &emulator, &api);
    assert_eq!(
        first.code("verdict"),
        0,
        "drift (plan exit 2) passes the job:\n{}",
        first.log
    );
    assert!(first.log.contains("created comment"), "{}", first.log);
    let ours = github.ours();
    assert_eq!(ours.len(), 1, "{ours:?}");
    let body = ours[0]["body"].as_str().expect("body").to_owned();
    assert!(
        body.contains("afu9/first") && body.contains("1 to create"),
        "{body}"
    );

    // The next push: another repository.
    std::fs::write(
        dir.join("desired-state/ecr.yaml"),
        repository("afu9/first", 1) + &repository("afu9/second", 1),
    )
    .expect("write");
    let second = run_action(&dir, &emulator, &api);
    assert_eq!(second.code("verdict"), 0, "{}", second.log);
    assert!(second.log.contains("updated comment"), "{}", second.log);
    let ours = github.ours();
    assert_eq!(ours.len(), 1, "still one comment: {ours:?}");
    assert_eq!(ours[0]["id"], 1003, "the same comment, updated");
    let updated = ours[0]["body"].as_str().expect("body");
    assert!(
        updated.contains("afu9/second") && updated.contains("2 to create"),
        "{updated}"
    );
    assert_eq!(
        github.comments.lock().unwrap().len(),
        4,
        "the others are untouched"
    );
    let requests = github.requests.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r.contains("page=2")),
        "the script followed the Link header: {requests:?}"
    );
    assert!(
        std::fs::read_to_string(dir.join("afu9-posture.sarif"))
            .is_ok_and(|s| s.contains("\"version\": \"2.1.0\""))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plan_over_the_comment_limit_is_cut_between_resources_with_a_note() {
    let emulator = Emulator::start();
    let github = FakeGitHub::default();
    let api = github.start();
    let dir = workspace("long");
    let manifests: String = (0..150)
        .map(|i| repository(&format!("afu9/repo-{i:03}"), 12))
        .collect();
    std::fs::write(dir.join("desired-state/ecr.yaml"), manifests).expect("write");
    let run = run_action(&dir, &emulator, &api);
    assert_eq!(run.code("verdict"), 0, "{}", run.log);
    let plan = std::fs::read_to_string(dir.join(".runner-temp/afu9-plan.md")).expect("plan");
    assert!(
        plan.chars().count() > 65_536,
        "the fixture's plan is over the limit: {}",
        plan.len()
    );
    let ours = github.ours();
    assert_eq!(ours.len(), 1);
    let body = ours[0]["body"].as_str().expect("body");
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert_eq!(
        body.matches("<details>").count(),
        body.matches("</details>").count(),
        "whole blocks only"
    );
    let shown = body.matches("<details>").count();
    assert!(shown > 10 && shown < 150, "{shown}");
    assert!(
        body.contains(&format!("{shown} of 150 resources are shown in full")),
        "the note says what was cut: {}",
        &body[body.len().saturating_sub(600)..]
    );
    assert!(body.contains("over GitHub's limit of 65,536"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_desired_state_fails_the_job_with_sarif_results_on_its_file_and_line() {
    let emulator = Emulator::start();
    let github = FakeGitHub::default();
    let api = github.start();
    let dir = workspace("invalid");
    let fixture = repo_root().join("tests/fixtures/invalid/alarm-dangling-topic.yaml");
    let content = std::fs::read_to_string(&fixture).expect("fixture");
    let at = content
        .lines()
        .find_map(|l| l.strip_prefix("# expect-at: "))
        .expect("expect-at");
    let (line, column) = at.split_once(':').expect("L:C");
    std::fs::write(dir.join("desired-state/alarm.yaml"), &content).expect("write");
    let run = run_action(&dir, &emulator, &api);
    assert_eq!(
        run.code("validate"),
        0,
        "the step records, the verdict fails:\n{}",
        run.log
    );
    assert_eq!(run.code("verdict"), 1, "{}", run.log);
    assert!(
        run.log.contains("::error::afu9ctl validate found errors"),
        "{}",
        run.log
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("afu9-posture.sarif")).expect("the SARIF file"),
    )
    .expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            r["ruleId"] == "AFU9-ALARM-002"
                && place["artifactLocation"]["uri"] == "desired-state/alarm.yaml"
                && place["region"]["startLine"].as_u64() == line.parse().ok()
                && place["region"]["startColumn"].as_u64() == column.parse().ok()
        }),
        "{sarif:#}"
    );
    let ours = github.ours();
    assert_eq!(ours.len(), 1);
    let body = ours[0]["body"].as_str().expect("body");
    assert!(
        body.contains("the desired state is invalid") && body.contains("AFU9-ALARM-002"),
        "{body}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
