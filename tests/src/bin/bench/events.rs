//! `bench --events N`: event to converged on the AFU-9 posture. `afu9ctl run` (interval 10
//! minutes, so no periodic pass interferes) listens to the posture's event source; each
//! sample changes a resource out of band through the SDK (a repository's tags made mutable,
//! or SSH opened to the world on a security group), puts the CloudTrail event AWS would put,
//! and polls the account every 20 ms until the change is undone. The figure is the time from
//! the event to the fixed state as the account shows it; printed with the interval-only
//! figure for comparison (half the interval on average, 95 % of the jittered interval at
//! p95, plus the duration of the daemon's first full pass, measured here too).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::cloudtrail_events::{SOMEONE_ELSE, put};
use afu9_e2e::{Emulator, free_port, http_get};
use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_sdk_ecr::types::ImageTagMutability;
use serde_json::{Value, json};

use crate::measure::median;
use crate::posture::Posture;

/// The repositories and the group the samples drift, in turn.
const REPOSITORIES: [&str; 4] = [
    "afu9/control-center",
    "afu9/mcp-github",
    "afu9/mcp-deploy",
    "afu9/mcp-observability",
];
const GROUP: &str = "afu9-alb";

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `samples` samples and prints the figures as Markdown.
pub fn run(afu9ctl: &Path, samples: usize, window: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let emulator = Emulator::start();
    runtime.block_on(Posture::Afu9.seed(&emulator));
    let port = free_port();
    let _daemon = Daemon(
        Command::new(afu9ctl)
            .env_clear()
            .envs(emulator.env())
            .args(["run", "-f"])
            .arg(Posture::Afu9.manifests(Path::new(".")))
            .args(["--interval", "10m", "--event-window", window, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start afu9ctl run"),
    );
    let status = || -> Value {
        http_get(port, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or_default()
    };
    let started = Instant::now();
    while !status()["events"]["queue"].is_string() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "afu9ctl run is not listening: {}",
            status()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let pass = status()["lastPass"].clone();
    let mut latencies = Vec::with_capacity(samples);
    let mut calls = Vec::with_capacity(samples);
    for sample in 0..samples {
        let before = status()["events"]["passes"].as_u64().unwrap_or(0);
        let latency = if sample % 5 == 4 {
            runtime.block_on(open_ssh(&emulator))
        } else {
            runtime.block_on(make_mutable(&emulator, REPOSITORIES[sample % 4]))
        };
        latencies.push(latency.as_secs_f64());
        while status()["events"]["passes"].as_u64().unwrap_or(0) == before {
            std::thread::sleep(Duration::from_millis(20));
        }
        calls.push(
            status()["events"]["lastPass"]["calls"]
                .as_u64()
                .unwrap_or(0),
        );
        eprintln!("sample {sample}: {latency:?}");
    }
    latencies.sort_by(f64::total_cmp);
    let p95 = latencies[((latencies.len() * 95).div_ceil(100)).saturating_sub(1)];
    let pass_seconds = pass["seconds"].as_f64().unwrap_or(0.0);
    println!("| mode | samples | p50 | p95 | AWS calls per reconcile |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| events (--event-window {window}) | {samples} | {:.2} s | {:.2} s | {} (median) |",
        median(&latencies),
        p95,
        {
            calls.sort_unstable();
            calls[calls.len() / 2]
        }
    );
    println!(
        "| interval only (--interval 5m, ±10 % jitter) | expected | {:.0} s | {:.0} s | {} (the first full pass, which created the posture: {pass_seconds:.2} s) |",
        150.0 + pass_seconds,
        0.95 * 330.0 + pass_seconds,
        pass["calls"]
    );
}

/// Makes `name`'s tags mutable, puts its event, and returns how long after the event the
/// repository was immutable again.
async fn make_mutable(emulator: &Emulator, name: &str) -> Duration {
    let ecr = emulator.ecr();
    ecr.put_image_tag_mutability()
        .repository_name(name)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("drift");
    let event = Instant::now();
    put(
        &emulator.events(),
        &[(
            "aws.ecr",
            "PutImageTagMutability",
            json!({"repositoryName": name, "imageTagMutability": "MUTABLE"}),
            SOMEONE_ELSE,
        )],
    )
    .await;
    loop {
        let mutability = ecr
            .describe_repositories()
            .repository_names(name)
            .send()
            .await
            .ok()
            .and_then(|r| r.repositories?.pop()?.image_tag_mutability);
        if mutability == Some(ImageTagMutability::Immutable) {
            return event.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Opens SSH to the world on the group, puts its event (which names the group by id), and
/// returns how long after the event the rule was gone.
async fn open_ssh(emulator: &Emulator) -> Duration {
    let ec2 = emulator.ec2();
    let id = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values(GROUP)
                .build(),
        )
        .send()
        .await
        .expect("groups")
        .security_groups
        .and_then(|mut g| g.pop()?.group_id)
        .expect("the group exists");
    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(ssh)
        .send()
        .await
        .expect("drift");
    let event = Instant::now();
    put(
        &emulator.events(),
        &[(
            "aws.ec2",
            "AuthorizeSecurityGroupIngress",
            json!({"groupId": id}),
            SOMEONE_ELSE,
        )],
    )
    .await;
    loop {
        let open = ec2
            .describe_security_groups()
            .group_ids(&id)
            .send()
            .await
            .ok()
            .and_then(|g| g.security_groups?.pop())
            .is_some_and(|g| g.ip_permissions().iter().any(|p| p.from_port() == Some(22)));
        if !open {
            return event.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
