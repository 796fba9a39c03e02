//! `afu9ctl status`: a running controller's `/status` as a table.

use std::fmt::Write as _;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use afu9_controller::daemon::Token;
use anyhow::Context;

use super::args::StatusArgs;
use super::{EXIT_ERROR, EXIT_OK, print};

/// Prints a running controller's `/status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let token = Token::load(args.token_file.as_deref())?;
    let body = http_get(args.server, "/status", token.as_ref())
        .with_context(|| format!("cannot read the status from {}", args.server))?;
    if args.json {
        print(&body);
        return Ok(ExitCode::from(EXIT_OK));
    }
    let value: serde_json::Value = serde_json::from_str(&body).context("the status is not JSON")?;
    let mut out = format!(
        "revision {}  passes {}  ready {}\n",
        value["revision"].as_str().unwrap_or("-"),
        value["passes"],
        value["ready"]
    );
    let _ = writeln!(
        out,
        "{:<20} {:<32} {:<7} {:<7} {:<8} {:<9} REASON",
        "KIND", "NAME", "SYNCED", "READY", "DRIFTED", "TERMINAL"
    );
    for resource in value["resources"].as_array().into_iter().flatten() {
        let condition = |kind: &str| {
            resource["conditions"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == kind))
                .and_then(|c| c["status"].as_str())
                .unwrap_or("-")
                .to_owned()
        };
        let reason = resource["conditions"][0]["reason"].as_str().unwrap_or("");
        let _ = writeln!(
            out,
            "{:<20} {:<32} {:<7} {:<7} {:<8} {:<9} {reason}",
            resource["kind"].as_str().unwrap_or(""),
            resource["name"].as_str().unwrap_or(""),
            condition("Synced"),
            condition("Ready"),
            condition("Drifted"),
            condition("Terminal"),
        );
    }
    print(&out);
    Ok(ExitCode::from(if value["ready"] == true {
        EXIT_OK
    } else {
        EXIT_ERROR
    }))
}

/// A plain HTTP/1.1 GET to the controller on `addr` (a local or in-cluster address), with
/// the bearer token when there is one.
fn http_get(addr: SocketAddr, path: &str, token: Option<&Token>) -> anyhow::Result<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let authorization = token
        .map(|t| format!("Authorization: Bearer {}\r\n", t.expose()))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{authorization}Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("malformed HTTP response")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200"),
        "{}",
        head.lines().next().unwrap_or_default()
    );
    Ok(body.to_owned())
}
