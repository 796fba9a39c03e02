//! A fault-injecting HTTP proxy between the SDK and the emulator.
//!
//! It reads each request, learns its service (from the `SigV4` credential scope) and its
//! operation (`X-Amz-Target` for the JSON protocols, `Action=` for the query protocols, the
//! method and path for REST, S3), and, as configured, answers it with a throttling error in
//! that protocol's own shape, a 5xx, a dropped connection, added latency, or an access-denied
//! error — or forwards it and then fails it anyway (the write happened, the caller saw an
//! error). Every request is recorded.
//! One request per connection (`Connection: close`); the SDK reconnects as it would.
//! Requests go to one emulator, or by service to several ([`Upstreams`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// What the proxy does to requests.
#[derive(Debug, Clone, Default)]
pub struct FaultConfig {
    /// Fraction of requests answered with a throttling error.
    pub throttle: f64,
    /// Fraction answered with a 500 or 503.
    pub server_error: f64,
    /// Fraction whose connection is closed without an answer.
    pub drop: f64,
    /// Fraction of write requests forwarded, then answered with a 500 anyway.
    pub fail_after_write: f64,
    /// Delay added to every request.
    pub latency: Duration,
    /// Services (`secretsmanager`, `iam`, ...) whose every call is denied.
    pub deny_services: Vec<String>,
    /// Once this many writes have been forwarded, every later request is held unanswered
    /// (until the configuration changes): the caller can be killed right after its N-th
    /// write, with nothing else sent.
    pub hold_after_writes: Option<usize>,
}

/// What happened to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded and answered normally.
    None,
    /// Answered with a throttling error.
    Throttled,
    /// Answered with a 5xx.
    ServerError,
    /// Connection closed without an answer.
    Dropped,
    /// Forwarded (so it took effect), then answered with a 500.
    FailedAfterWrite,
    /// Answered with an access-denied error.
    Denied,
    /// Held unanswered: the writes allowed (`hold_after_writes`) had been forwarded.
    Held,
}

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The signing name of the service (`ecr`, `iam`, `ec2`, `secretsmanager`, `ecs`, `sts`).
    pub service: String,
    /// The operation (`DescribeRepositories`).
    pub operation: String,
    /// What the proxy did.
    pub fault: Fault,
}

impl Record {
    /// Whether the operation reads rather than writes.
    pub fn is_read(&self) -> bool {
        is_read(&self.operation)
    }
}

struct State {
    config: FaultConfig,
    rng: fastrand::Rng,
    records: Vec<Record>,
    /// Requests being forwarded to the emulator right now.
    forwarding: usize,
}

/// The proxy, listening on 127.0.0.1 until the test process ends.
pub struct FaultProxy {
    port: u16,
    state: Arc<Mutex<State>>,
}

/// Where requests go: the emulator of their service (by signing name), else the default one.
#[derive(Debug, Clone)]
pub struct Upstreams {
    /// The port of the emulator for every service not listed.
    pub default: u16,
    /// `(signing name, port)` of the services with an emulator of their own.
    pub by_service: Vec<(String, u16)>,
}

impl Upstreams {
    /// Every request to the emulator on `port`.
    pub fn single(port: u16) -> Self {
        Self {
            default: port,
            by_service: Vec::new(),
        }
    }

    fn port(&self, service: &str) -> u16 {
        self.by_service
            .iter()
            .find(|(name, _)| name == service)
            .map_or(self.default, |(_, port)| *port)
    }
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`127.0.0.1:PORT` of the emulator) with faults
    /// drawn from a generator seeded with `seed`, so that a failing run can be replayed.
    pub fn start(upstream: u16, seed: u64) -> Self {
        Self::start_routed(Upstreams::single(upstream), seed)
    }

    /// Like [`FaultProxy::start`], in front of several emulators, each request sent to its
    /// service's.
    pub fn start_routed(upstreams: Upstreams, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind the fault proxy");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            config: FaultConfig::default(),
            rng: fastrand::Rng::with_seed(seed),
            records: Vec::new(),
            forwarding: 0,
        }));
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            let upstreams = Arc::new(upstreams);
            for client in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                let upstreams = Arc::clone(&upstreams);
                thread::spawn(move || handle(client, &upstreams, &state));
            }
        });
        Self { port, state }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the fault configuration.
    pub fn configure(&self, config: FaultConfig) {
        self.lock().config = config;
    }

    /// Every request so far.
    pub fn records(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    /// Waits until no request is being forwarded: a write the proxy let through has reached
    /// the emulator and been answered, even if its client was killed meanwhile.
    pub fn wait_until_forwarded(&self) {
        while self.lock().forwarding > 0 {
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Forgets the records so far.
    pub fn clear_records(&self) {
        self.lock().records.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn is_read(operation: &str) -> bool {
    ["Describe", "List", "Get", "GET ", "HEAD "]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

/// A request as read from the client.
struct Request {
    head: String,
    body: Vec<u8>,
    service: String,
    operation: String,
}

fn read_request(client: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(client.try_clone().ok()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let service = header("authorization")
        .and_then(|auth| {
            auth.split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').nth(3))
                .map(ToOwned::to_owned)
        })
        .unwrap_or_default();
    let operation = header("x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(ToOwned::to_owned))
        .or_else(|| {
            String::from_utf8_lossy(&body)
                .split('&')
                .find_map(|pair| pair.strip_prefix("Action=").map(ToOwned::to_owned))
        })
        // A REST request (S3) names no operation: its method and path stand for it, and a
        // GET or HEAD reads.
        .unwrap_or_else(|| {
            let mut line = head.lines().next().unwrap_or_default().split(' ');
            format!(
                "{} {}",
                line.next().unwrap_or_default(),
                line.next().unwrap_or_default()
            )
        });
    Some(Request {
        head,
        body,
        service,
        operation,
    })
}

fn handle(client: TcpStream, upstreams: &Upstreams, state: &Mutex<State>) {
    let Some(request) = read_request(&client) else {
        return;
    };
    let upstream = upstreams.port(&request.service);
    let (fault, latency) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let config = state.config.clone();
        let writes = state
            .records
            .iter()
            .filter(|r| r.fault == Fault::None && !r.is_read())
            .count();
        let fault = if config.hold_after_writes.is_some_and(|n| writes >= n) {
            Fault::Held
        } else if config.deny_services.contains(&request.service) {
            Fault::Denied
        } else {
            let draw = state.rng.f64();
            let write = !is_read(&request.operation);
            if draw < config.throttle {
                Fault::Throttled
            } else if draw < config.throttle + config.server_error {
                Fault::ServerError
            } else if draw < config.throttle + config.server_error + config.drop {
                Fault::Dropped
            } else if write && state.rng.f64() < config.fail_after_write {
                Fault::FailedAfterWrite
            } else {
                Fault::None
            }
        };
        state.records.push(Record {
            service: request.service.clone(),
            operation: request.operation.clone(),
            fault,
        });
        if matches!(fault, Fault::None | Fault::FailedAfterWrite) {
            state.forwarding += 1;
        }
        (fault, config.latency)
    };
    if !latency.is_zero() {
        thread::sleep(latency);
    }
    let mut client = client;
    let forwarded = || {
        let answer = forward(&request, upstream);
        state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .forwarding -= 1;
        answer
    };
    let answer = match fault {
        Fault::None => forwarded(),
        Fault::FailedAfterWrite => {
            let _ = forwarded();
            Some(server_error(&request.service))
        }
        Fault::Throttled => Some(throttling(&request.service)),
        Fault::ServerError => Some(server_error(&request.service)),
        Fault::Denied => Some(denied(&request.service)),
        Fault::Dropped => None,
        Fault::Held => {
            let released = || {
                let state = state.lock().unwrap_or_else(PoisonError::into_inner);
                state.config.hold_after_writes.is_none()
            };
            while !released() {
                thread::sleep(Duration::from_millis(50));
            }
            None
        }
    };
    if let Some(answer) = answer {
        let _ = client.write_all(&answer);
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Sends the request to the emulator with `Connection: close` and returns its whole answer.
fn forward(request: &Request, upstream: u16) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    let mut head = String::new();
    for line in request.head.lines() {
        if !line.is_empty() && !line.to_ascii_lowercase().starts_with("connection:") {
            head.push_str(line);
            head.push_str("\r\n");
        }
    }
    server.write_all(head.as_bytes()).ok()?;
    server.write_all(b"Connection: close\r\n\r\n").ok()?;
    server.write_all(&request.body).ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// The protocol family of a service: how its errors look.
enum Protocol {
    /// IAM, STS, SNS, CloudWatch: `<ErrorResponse><Error>…`.
    Query,
    /// S3: `<Error>…`, throttling as `503 SlowDown`.
    S3,
    /// EC2: `<Response><Errors><Error>…`.
    Ec2,
    /// ECR, Secrets Manager, ECS, CloudTrail, CloudWatch Logs, KMS: JSON with `__type`.
    Json,
}

fn protocol(service: &str) -> Protocol {
    match service {
        "iam" | "sts" | "sns" | "monitoring" | "rds" | "elasticloadbalancing" => Protocol::Query,
        "s3" => Protocol::S3,
        "ec2" => Protocol::Ec2,
        // awsJson1_1 (ecr, ecs, secretsmanager, logs, cloudtrail, events) and awsJson1_0
        // (sqs) answer errors in the same shape.
        _ => Protocol::Json,
    }
}

fn response(status: &str, content_type: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn error(service: &str, status: &str, code: &str, message: &str) -> Vec<u8> {
    match protocol(service) {
        Protocol::Query => response(
            status,
            "text/xml",
            "",
            &format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::S3 => response(
            status,
            "application/xml",
            "",
            &format!(
                "<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
            ),
        ),
        Protocol::Ec2 => response(
            status,
            "text/xml",
            "",
            &format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
            ),
        ),
        Protocol::Json => response(
            status,
            "application/x-amz-json-1.1",
            &format!("x-amzn-ErrorType: {code}\r\nx-amzn-RequestId: fault-proxy\r\n"),
            &format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"),
        ),
    }
}

fn throttling(service: &str) -> Vec<u8> {
    match protocol(service) {
        Protocol::Query => error(service, "400 Bad Request", "Throttling", "Rate exceeded"),
        Protocol::S3 => error(
            service,
            "503 Slow Down",
            "SlowDown",
            "Please reduce your request rate.",
        ),
        Protocol::Ec2 => error(
            service,
            "503 Service Unavailable",
            "RequestLimitExceeded",
            "Request limit exceeded.",
        ),
        Protocol::Json => error(
            service,
            "400 Bad Request",
            "ThrottlingException",
            "Rate exceeded",
        ),
    }
}

fn server_error(service: &str) -> Vec<u8> {
    match protocol(service) {
        Protocol::Json => error(
            service,
            "500 Internal Server Error",
            "ServiceUnavailableException",
            "injected fault",
        ),
        _ => error(
            service,
            "500 Internal Server Error",
            "InternalFailure",
            "injected fault",
        ),
    }
}

fn denied(service: &str) -> Vec<u8> {
    match protocol(service) {
        Protocol::Json => error(
            service,
            "400 Bad Request",
            "AccessDeniedException",
            "injected: not authorized",
        ),
        _ => error(
            service,
            "403 Forbidden",
            "AccessDenied",
            "injected: not authorized",
        ),
    }
}
