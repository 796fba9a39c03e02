//! The status page in a real browser: headless Chromium (Debian's, installed by
//! `scripts/ensure-browser`) driven over `WebDriver` against a real `afu9ctl run` and moto.
//! The resources appear; a drift injected out of band appears and, once the controller may
//! fix it, disappears, without a reload; the filters work; the security headers are on every
//! response; a non-loopback listener with a token answers 401 without it, while `/healthz`
//! and `/readyz` stay open. Prints the page weight and the time to first render.

mod webdriver;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, free_port, repo_root};
use aws_sdk_ecr::types::ImageTagMutability;
use webdriver::Browser;

/// A running `afu9ctl run`, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(emulator: &Emulator, manifests: &Path, listen_ip: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(emulator.env())
            .envs(env.iter().copied())
            .args(["run", "-f"])
            .arg(manifests)
            .args(["--interval", "1s", "--reload-every", "200ms", "--listen"])
            .arg(format!("{listen_ip}:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start afu9ctl run");
        Self { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(self.port, "/readyz", None).code != 200 {
            assert!(
                Instant::now() < deadline,
                "afu9ctl run not ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response: status code, headers (names lowercased) and body.
struct Response {
    code: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A GET to 127.0.0.1:`port`, with `Authorization: authorization` when given; code 0 when
/// nothing answers.
fn get(port: u16, path: &str, authorization: Option<&str>) -> Response {
    let nothing = Response {
        code: 0,
        headers: Vec::new(),
        body: String::new(),
    };
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return nothing;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let authorization = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let sent = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{authorization}Connection: close\r\n\r\n"
    );
    let mut raw = String::new();
    if sent.is_err() || stream.read_to_string(&mut raw).is_err() {
        return nothing;
    }
    let Some((head, body)) = raw.split_once("\r\n\r\n") else {
        return nothing;
    };
    let mut lines = head.lines();
    let code = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        code,
        headers,
        body: body.to_owned(),
    }
}

/// A directory with the AFU-9 ECR and IAM manifests, for the daemon to watch.
fn manifests(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-page-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for file in ["posture.yaml", "ecr.yaml", "iam.yaml"] {
        std::fs::copy(repo_root().join("desired-state").join(file), dir.join(file)).expect("copy");
    }
    dir
}

/// The two service roles iam.yaml adopts (the trail's delivery role, the rotation Lambda's),
/// as their owners' stacks create them: bare service trust, nothing else.
async fn adoptable_roles(emulator: &Emulator) {
    for (role, service) in [
        ("afu9-cloudtrail-logs", "cloudtrail.amazonaws.com"),
        ("afu9-rotate-db-password-role", "lambda.amazonaws.com"),
    ] {
        emulator
            .iam()
            .create_role()
            .role_name(role)
            .assume_role_policy_document(format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
            ))
            .send()
            .await
            .expect("CreateRole");
    }
}

fn assert_security_headers(response: &Response, path: &str) {
    for (name, want) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
    ] {
        assert_eq!(response.header(name), Some(want), "{name} on {path}");
    }
    let csp = response
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("no Content-Security-Policy on {path}"));
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "{directive} missing from {csp} on {path}"
        );
    }
}

async fn mutability(emulator: &Emulator, name: &str) -> Option<ImageTagMutability> {
    emulator
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .ok()?
        .repositories?
        .pop()?
        .image_tag_mutability
}

/// The rows of the resources table as `state|kind|name|reason`, as the page shows them.
const ROWS: &str = "return Array.from(document.querySelectorAll('#resources tbody tr'), \
    r => Array.from(r.cells, c => c.textContent).filter((_, i) => [0, 1, 2, 7].includes(i)).join('|'));";

#[tokio::test(flavor = "multi_thread")]
async fn the_status_page_shows_the_posture_live_in_a_browser() {
    let emulator = Emulator::start();
    adoptable_roles(&emulator).await;
    let dir = manifests("live");
    let daemon = Daemon::start(&emulator, &dir, "127.0.0.1", &[]);
    daemon.wait_ready();
    for path in [
        "/",
        "/page.js",
        "/page.css",
        "/status",
        "/changes",
        "/metrics",
        "/healthz",
        "/readyz",
        "/nowhere",
    ] {
        assert_security_headers(&get(daemon.port, path, None), path);
    }
    let browser = Browser::start();
    browser.open(&daemon.url("/"));
    browser.eval("window.afu9Marker = 'not reloaded'; return true;");

    // The resources appear, all in sync, with the changes of the first pass.
    browser.wait_until(
        Duration::from_secs(10),
        "nine resources in sync (the Posture's EBS setting among them)",
        "const rows = document.querySelectorAll('#resources tbody tr'); \
         return rows.length === 9 && Array.from(rows).every(r => r.cells[0].textContent === 'In sync');",
    );
    resources_and_changes_are_shown(&browser);
    measure(&browser);

    // The repository is only observed for a while; a drift injected out of band appears.
    let ecr = dir.join("ecr.yaml");
    let enforced = drift_appears(&emulator, &browser, &ecr).await;
    screenshot(&browser);
    filters_work(&browser);

    // Enforced again: the controller fixes it; the page follows without a reload.
    std::fs::write(&ecr, &enforced).expect("write");
    browser.wait_until(
        Duration::from_secs(10),
        "the repository in sync again and the fix among the changes",
        "const rows = Array.from(document.querySelectorAll('#resources tbody tr')); \
         const fix = Array.from(document.querySelectorAll('#changes tbody tr'), \
           r => Array.from(r.cells, c => c.textContent).join('|')) \
           .find(r => r.includes('afu9/control-center|spec.tagMutability|MUTABLE|IMMUTABLE|applied')); \
         return rows.length === 9 && rows.every(r => r.cells[0].textContent === 'In sync') && !!fix;",
    );
    assert_eq!(
        mutability(&emulator, "afu9/control-center").await,
        Some(ImageTagMutability::Immutable)
    );
    assert_eq!(
        browser.eval("return window.afu9Marker || null;"),
        "not reloaded",
        "the page must update itself, not be reloaded"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every resource has a row, and the first pass's writes are among the recent changes.
fn resources_and_changes_are_shown(browser: &Browser) {
    let rows = browser.eval(ROWS);
    for name in [
        "EcrRepository|afu9/control-center|",
        "IamRole|afu9-task-role|",
    ] {
        assert!(
            rows.as_array()
                .expect("rows")
                .iter()
                .any(|r| r.as_str().is_some_and(|r| r.contains(name))),
            "{name} missing from {rows}"
        );
    }
    let created = browser.eval("return document.querySelectorAll('#changes tbody tr.ok').length;");
    assert!(
        created.as_u64().is_some_and(|n| n >= 6),
        "the first pass's changes: {created}"
    );
}

/// Prints (and bounds) the page weight and the time to first contentful paint.
///
/// Chromium queues the paint entry once the frame is presented, which on a loaded machine
/// can come after the rows are in the DOM; the entry is waited for, then read.
fn measure(browser: &Browser) {
    browser.wait_until(
        Duration::from_secs(10),
        "the first contentful paint recorded",
        "return performance.getEntriesByName('first-contentful-paint').length > 0;",
    );
    let timing = browser.eval(
        "const nav = performance.getEntriesByType('navigation')[0]; \
         const paint = performance.getEntriesByName('first-contentful-paint')[0]; \
         const assets = performance.getEntriesByType('resource') \
           .filter(r => /page\\.(js|css)$/.test(r.name)); \
         return { html: nav.encodedBodySize, \
           assets: assets.reduce((sum, r) => sum + r.encodedBodySize, 0), \
           count: assets.length, \
           firstPaintMs: paint ? paint.startTime : null, \
           domContentLoadedMs: nav.domContentLoadedEventEnd };",
    );
    eprintln!("page weight and timing: {timing}");
    let weight = timing["html"].as_u64().unwrap_or(0) + timing["assets"].as_u64().unwrap_or(0);
    assert_eq!(timing["count"], 2, "page.js and page.css: {timing}");
    assert!(
        weight > 0 && weight < 64 * 1024,
        "page weight {weight} bytes: {timing}"
    );
    assert!(
        timing["firstPaintMs"].is_number(),
        "no first contentful paint: {timing}"
    );
}

/// Makes `afu9/control-center` observe-only, turns its tags mutable out of band, and waits
/// for the page to show the drift first; returns the enforcing manifest.
async fn drift_appears(emulator: &Emulator, browser: &Browser, ecr: &Path) -> String {
    let enforced = std::fs::read_to_string(ecr).expect("read");
    let observed = enforced.replacen(
        "  labels: {app: control-center}\n",
        "  labels: {app: control-center}\n  managementPolicy: observe\n",
        1,
    );
    assert_ne!(observed, enforced);
    std::fs::write(ecr, observed).expect("write");
    tokio::time::sleep(Duration::from_millis(800)).await;
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name("afu9/control-center")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("inject drift");
    browser.wait_until(
        Duration::from_secs(10),
        "the drift at the top of the table",
        "const first = document.querySelector('#resources tbody tr'); \
         return first.cells[0].textContent === 'Drift remains' \
           && first.cells[2].textContent === 'afu9/control-center' \
           && first.cells[7].textContent === 'ObserveOnly';",
    );
    browser.wait_until(
        Duration::from_secs(5),
        "the live region tells of the update",
        "return document.getElementById('live').textContent.includes('1 with drift remaining');",
    );
    enforced
}

/// Writes the screenshot to `AFU9_PAGE_SCREENSHOT` (docs/status-page.png when refreshing
/// the docs), else to the temporary directory.
fn screenshot(browser: &Browser) {
    let png = browser.screenshot();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let shot = std::env::var_os("AFU9_PAGE_SCREENSHOT").map_or_else(
        || std::env::temp_dir().join("afu9-status-page.png"),
        PathBuf::from,
    );
    std::fs::write(&shot, &png).expect("write the screenshot");
    eprintln!("screenshot: {} ({} bytes)", shot.display(), png.len());
}

/// The filters by condition and by kind, and back; the URL keeps them.
fn filters_work(browser: &Browser) {
    browser.click("#condition option[value=drifted]");
    browser.wait_until(
        Duration::from_secs(2),
        "only the drifted repository",
        "const rows = document.querySelectorAll('#resources tbody tr'); \
         return rows.length === 1 && rows[0].cells[2].textContent === 'afu9/control-center' \
           && location.search === '?condition=drifted';",
    );
    browser.click("#condition option[value='']");
    browser.click("#kind option[value=IamRole]");
    browser.wait_until(
        Duration::from_secs(2),
        "only the four roles",
        "const rows = Array.from(document.querySelectorAll('#resources tbody tr')); \
         return rows.length === 4 && rows.every(r => r.cells[1].textContent === 'IamRole') \
           && document.querySelector('#resources caption').textContent.startsWith('4 of 9');",
    );
    browser.click("#kind option[value='']");
}

#[test]
fn a_non_loopback_listener_with_a_token_refuses_requests_without_it() {
    let emulator = Emulator::start();
    let dir = manifests("token");
    let token = "page-test-token-8d1f";
    let daemon = Daemon::start(&emulator, &dir, "0.0.0.0", &[("AFU9_STATUS_TOKEN", token)]);
    daemon.wait_ready();
    for path in ["/healthz", "/readyz"] {
        let open = get(daemon.port, path, None);
        assert_eq!(open.code, 200, "{path} must stay open: {}", open.body);
    }
    let bearer = format!("Bearer {token}");
    let basic = format!(
        "Basic {}",
        aws_smithy_types::base64::encode(format!("oncall:{token}"))
    );
    for path in ["/", "/status", "/metrics", "/changes", "/page.js"] {
        for wrong in [None, Some("Bearer page-test-token-8d1e"), Some("Bearer ")] {
            let refused = get(daemon.port, path, wrong);
            assert_eq!(refused.code, 401, "{path} with {wrong:?}");
            assert_security_headers(&refused, path);
            assert!(
                refused
                    .headers
                    .iter()
                    .any(|(n, v)| n == "www-authenticate" && v.starts_with("Basic")),
                "a browser must be asked for the token on {path}"
            );
            assert!(!refused.body.contains(token));
        }
        assert_eq!(
            get(daemon.port, path, Some(&bearer)).code,
            200,
            "{path} with the token"
        );
        assert_eq!(
            get(daemon.port, path, Some(&basic)).code,
            200,
            "{path} with Basic"
        );
    }
    let status = |env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(env.iter().copied())
            .args(["status", "--server", &format!("127.0.0.1:{}", daemon.port)])
            .output()
            .expect("afu9ctl status")
    };
    let refused = status(&[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"));
    let allowed = status(&[("AFU9_STATUS_TOKEN", token)]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let table = String::from_utf8_lossy(&allowed.stdout);
    assert!(
        table.contains("afu9/control-center") && !table.contains(token),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
