//! A minimal W3C `WebDriver` client for Debian's `chromedriver`, over plain HTTP/1.1 with
//! `serde_json`: start the driver, open a headless Chromium session, navigate, run script,
//! click, take a screenshot. Every failure panics with the reason: a browser test that
//! cannot start its browser fails loudly.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The element reference key of the W3C protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A `chromedriver` process and one headless Chromium session, both ended when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    /// Starts `chromedriver` (from `AFU9_CHROMEDRIVER` or `PATH`) and a headless session of
    /// Chromium (from `AFU9_CHROMIUM` or `/usr/bin/chromium`).
    pub fn start() -> Self {
        let driver_path = locate("AFU9_CHROMEDRIVER", "chromedriver");
        let chromium = locate("AFU9_CHROMIUM", "chromium");
        let port = afu9_e2e::free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", driver_path.display()));
        let mut browser = Self {
            driver,
            port,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while request(port, "GET", "/status", None).is_none_or(|v| v["value"]["ready"] != true) {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on port {port} within 15 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--window-size=1280,1100",
                    "--force-device-scale-factor=1", "--hide-scrollbars",
                ],
            },
        }}});
        let created = browser.call("POST", "/session", &capabilities);
        created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromium did not start: {created}"))
            .clone_into(&mut browser.session);
        browser
    }

    /// Navigates to `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", &json!({ "url": url }));
    }

    /// Runs `script` (a function body; `arguments` are empty) and returns its value.
    pub fn eval(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// Clicks the element `css` selects, as a user would (an `<option>` selects it).
    pub fn click(&self, css: &str) {
        let found = self.session_call(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        let id = found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"));
        self.session_call("POST", &format!("/element/{id}/click"), &json!({}));
    }

    /// Polls `script` until it returns `true`; panics with `what` and the last value after
    /// `limit`.
    pub fn wait_until(&self, limit: Duration, what: &str, script: &str) {
        let deadline = Instant::now() + limit;
        loop {
            let value = self.eval(script);
            if value == true {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not true within {limit:?} (last value {value})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let value = self.session_call("GET", "/screenshot", &Value::Null);
        aws_smithy_types::base64::decode(value.as_str().expect("base64 screenshot"))
            .expect("valid base64")
    }

    fn session_call(&self, method: &str, path: &str, body: &Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body)["value"].take()
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = (!body.is_null()).then_some(body);
        let value = request(self.port, method, path, body)
            .unwrap_or_else(|| panic!("chromedriver did not answer {method} {path}"));
        assert!(
            value["value"]["error"].is_null(),
            "{method} {path} failed: {value}"
        );
        value
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = request(self.port, "DELETE", &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The program `env` names, else `name` on `PATH`; panics with how to install it.
fn locate(env: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found on PATH (nor in {env}): run scripts/ensure-browser")
        })
}

/// One JSON request to the driver; `None` when it does not answer.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Option<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    // chromedriver keeps the connection open whatever the request says: read the head, then
    // exactly Content-Length bytes.
    let mut reader = std::io::BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
