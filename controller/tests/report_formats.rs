//! `afu9ctl report -o ocsf` and `-o junit` on the seeded (insecure) AFU-9 account, checked
//! against the schemas of packages: the OCSF findings against Prowler's OCSF 1.5.0 models
//! (`py-ocsf-models`' `ComplianceFinding`, no attribute they do not know), the JUnit XML
//! against the Jenkins xUnit plugin's `junit-10.xsd` (`scripts/ensure-junit-xsd`, with
//! `xmlschema`). Both say the same as `-o json`, item by item.

use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root};
use serde_json::Value;

fn afu9ctl(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(emulator.env())
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a project script prints (a path), run from the repository's root.
fn script_output(script: &str) -> String {
    let output = Command::new(repo_root().join(script))
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {script}: {err}"));
    assert!(
        output.status.success(),
        "{script} failed: {}",
        text(&output.stderr)
    );
    text(&output.stdout).trim().to_owned()
}

/// Runs `code` with the emulator's python (where the validating packages are) and `args`;
/// returns its stdout, failing the test with its output when it fails.
fn python(code: &str, args: &[&str]) -> String {
    let python = script_output("scripts/ensure-emulator");
    let output = Command::new(python)
        .args(["-c", code])
        .args(args)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Validates each finding of a JSON array with `ComplianceFinding`, and refuses any key the
/// model does not know (pydantic would drop it silently), at any depth.
const OCSF_CHECK: &str = r"
import json, sys
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from pydantic import BaseModel

def unknown(value, model, path):
    bad = []
    for key, item in value.items():
        if key not in type(model).model_fields:
            bad.append(f'{path}.{key}')
            continue
        child = getattr(model, key)
        if isinstance(child, BaseModel) and isinstance(item, dict):
            bad += unknown(item, child, f'{path}.{key}')
        elif isinstance(child, list) and isinstance(item, list):
            for i, (c, v) in enumerate(zip(child, item)):
                if isinstance(c, BaseModel) and isinstance(v, dict):
                    bad += unknown(v, c, f'{path}.{key}[{i}]')
    return bad

findings = json.load(open(sys.argv[1]))
bad = []
for i, finding in enumerate(findings):
    model = ComplianceFinding.model_validate(finding)
    bad += unknown(finding, model, f'[{i}]')
    assert int(model.class_uid) == 2003 and int(model.type_uid) == 200301, finding
if bad:
    sys.exit('attributes OCSF does not define: ' + ', '.join(bad))
print(f'valid: {len(findings)} findings')
";

const JUNIT_CHECK: &str = r"
import sys, xmlschema
xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])
print('valid')
";

#[test]
fn ocsf_and_junit_reports_pass_their_schemas_and_say_what_json_says() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let json = afu9ctl(&emulator, &["report", "-o", "json"]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let json: Value = serde_json::from_slice(&json.stdout).expect("report -o json");
    let items = json["items"].as_array().expect("items");
    let dir = std::env::temp_dir().join(format!("afu9-report-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");

    let ocsf = afu9ctl(&emulator, &["report", "-o", "ocsf"]);
    assert!(ocsf.status.success(), "{}", text(&ocsf.stderr));
    let path = dir.join("findings.json");
    std::fs::write(&path, &ocsf.stdout).expect("write findings");
    let checked = python(OCSF_CHECK, &[path.to_str().expect("utf-8")]);
    assert!(checked.starts_with("valid: "), "{checked}");
    let findings: Value = serde_json::from_slice(&ocsf.stdout).expect("OCSF is JSON");
    let findings = findings.as_array().expect("an array of findings");
    for item in items {
        let control = item["number"].to_string();
        let mine: Vec<&Value> = findings
            .iter()
            .filter(|f| f["compliance"]["control"] == control.as_str())
            .collect();
        assert!(!mine.is_empty(), "item {control} has no finding");
        // One finding per resource the item's evidence names.
        let mut resources: Vec<String> = item["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .map(|e| {
                format!(
                    "{}/{}",
                    e["kind"].as_str().unwrap(),
                    e["name"].as_str().unwrap()
                )
            })
            .collect();
        resources.sort();
        resources.dedup();
        let mut named: Vec<String> = mine
            .iter()
            .filter_map(|f| f["resources"][0]["uid"].as_str().map(str::to_owned))
            .collect();
        named.sort();
        assert_eq!(named, resources, "item {control}");
        if item["status"] == "fail" {
            assert!(
                mine.iter().any(|f| f["compliance"]["status_id"] == 3
                    && f["resources"][0]["region"] == afu9_e2e::REGION
                    && f["metadata"]["tenant_uid"] == afu9_e2e::ACCOUNT_ID),
                "item {control} fails: a failing finding for a resource of the account: {mine:?}"
            );
        }
    }

    let junit = afu9ctl(&emulator, &["report", "-o", "junit"]);
    assert!(junit.status.success(), "{}", text(&junit.stderr));
    let xml = text(&junit.stdout);
    let path = dir.join("junit.xml");
    std::fs::write(&path, &xml).expect("write junit");
    let xsd = script_output("scripts/ensure-junit-xsd");
    let checked = python(JUNIT_CHECK, &[&xsd, path.to_str().expect("utf-8")]);
    assert_eq!(checked.trim(), "valid");
    assert_eq!(xml.matches("<testcase ").count(), items.len());
    let failing = items.iter().filter(|i| i["status"] == "fail").count();
    let outside = items.iter().filter(|i| i["status"] == "outside").count();
    assert!(failing > 0 && outside > 0, "the seeded account fails items");
    assert_eq!(xml.matches("<failure ").count(), failing, "{xml}");
    assert_eq!(
        xml.matches("<skipped message=\"outside the account: ")
            .count(),
        outside,
        "{xml}"
    );
    assert!(
        xml.contains(&format!("failures=\"{failing}\"")),
        "the suite counts its failures: {xml}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
