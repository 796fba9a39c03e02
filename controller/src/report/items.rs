//! The guide's checklist as one table: per item, the kinds and field paths that hold its
//! evidence, what the desired state must ask for, the guardrails that apply, and the Security
//! Hub controls it maps to.

/// One item of the security guide's checklist.
#[derive(Debug)]
pub struct Item {
    /// Its number in the guide (1–15).
    pub number: u8,
    /// The guide's words.
    pub title: &'static str,
    /// The Security Hub (AWS Foundational Security Best Practices) controls it maps to.
    pub controls: &'static [&'static str],
    /// How bad a failure is (the Security Hub finding's severity).
    pub severity: Severity,
    /// What the controller checks, or that the item lives outside the account.
    pub scope: Scope,
    /// What would verify what the controller cannot (the whole item when it is outside).
    pub verify: Option<&'static str>,
}

/// A failure's severity, as Security Hub labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Nothing to fix in the account.
    Informational,
    /// Worth fixing.
    Medium,
    /// Fix first: exposure or loss of the audit trail.
    High,
}

impl Severity {
    /// The label Security Hub uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Informational => "INFORMATIONAL",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
        }
    }
}

/// Where an item's evidence is.
#[derive(Debug)]
pub enum Scope {
    /// In the account: the plan's changes on these fields, the desired state's requirements,
    /// and the validation warnings of these rules.
    Checked {
        /// Which kinds' changes count, and on which field paths (a pattern: `*` stands for
        /// one segment, a segment matches itself or itself with an index, `listeners[80]`).
        fields: &'static [(&'static str, &'static [&'static str])],
        /// What the desired state must ask for.
        requires: &'static [Requirement],
        /// Validation warnings whose rule id starts with one of these fail the item.
        guardrails: &'static [&'static str],
        /// The controls (id prefixes) whose live facts judge the item: a failing fact fails
        /// it, and none at all leaves it not evidenced. Empty: the item is still judged on
        /// drift and on what the manifests ask.
        attested_by: &'static [&'static str],
    },
    /// In the application's code: the account holds no evidence.
    Outside,
}

/// What the desired state must ask for, read from the manifests' specs.
#[derive(Debug)]
pub struct Requirement {
    /// The manifest kind.
    pub kind: &'static str,
    /// The field in the spec (`scanOnPush`, `services.*.assignPublicIp`); `None` when the
    /// kind only has to be declared.
    pub path: Option<&'static str>,
    /// The value it must have, as JSON.
    pub expect: Expect,
}

/// How a requirement's field is judged.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Every resource of the kind has it, with this value (JSON text).
    Every(&'static str),
    /// Every resource of the kind has this value at least once under the field (a load
    /// balancer with at least one HTTPS listener).
    Some(&'static str),
    /// Every resource of the kind sets it (to anything but `null`).
    Present,
    /// At least one resource of the kind is declared.
    Declared,
}

const fn declared(kind: &'static str) -> Requirement {
    Requirement {
        kind,
        path: None,
        expect: Expect::Declared,
    }
}

const fn present(kind: &'static str, path: &'static str) -> Requirement {
    Requirement {
        kind,
        path: Some(path),
        expect: Expect::Present,
    }
}

const fn every(kind: &'static str, path: &'static str, value: &'static str) -> Requirement {
    Requirement {
        kind,
        path: Some(path),
        expect: Expect::Every(value),
    }
}

/// The trail item's controls, each judged on live facts: the trail's own (its bucket's access
/// logging among them), its log buckets', the account's Block Public Access and the log
/// groups'.
const AUDIT_CONTROLS: &[&str] = &[
    "CloudTrail.1",
    "CloudTrail.2",
    "CloudTrail.4",
    "CloudTrail.5",
    "CloudTrail.7",
    "S3.1",
    "S3.5",
    "S3.8",
    "S3.9",
    "S3.14",
    "S3.17",
    "CloudWatch.16",
    "AFU9.LOGS.1",
];

/// The guide's fifteen items, in its order and words.
pub const CHECKLIST: &[Item] = &[
    Item {
        number: 1,
        severity: Severity::High,
        title: "All secrets stored in Secrets Manager",
        controls: &["ECS.8"],
        scope: Scope::Checked {
            fields: &[
                ("Secret", &["spec.kmsKey"]),
                ("EcsTaskDefinition", &["spec.containers.*.environment"]),
            ],
            requires: &[declared("Secret")],
            guardrails: &[],
            attested_by: &[],
        },
        verify: Some(
            "secrets the manifests do not name (in code, CI variables, other services): a secret scanner such as gitleaks or GitHub secret scanning",
        ),
    },
    Item {
        number: 2,
        severity: Severity::High,
        title: "IAM roles follow least privilege principle",
        controls: &["IAM.1", "IAM.21", "ECS.4", "ECS.5"],
        scope: Scope::Checked {
            fields: &[
                (
                    "IamRole",
                    &[
                        "spec.trustPolicy",
                        "spec.inlinePolicies",
                        "spec.managedPolicies",
                        "spec.permissionsBoundary",
                        "spec.revokeSessionsIssuedBefore",
                    ],
                ),
                ("IamPolicy", &["spec.policy"]),
                (
                    "EcsTaskDefinition",
                    &[
                        "spec.containers.*.privileged",
                        "spec.containers.*.readonlyRootFilesystem",
                        "spec.supersededRevisions",
                    ],
                ),
            ],
            requires: &[declared("IamRole")],
            guardrails: &["AFU9-IAM-"],
            // Least privilege (IAM.1, IAM.21); service roles' trust conditions (confused
            // deputy); containers without host privileges or a writable root filesystem, in the
            // latest revision and in every older one still ACTIVE.
            attested_by: &[
                "IAM.1",
                "IAM.21",
                "AFU9.IAM.1",
                "ECS.4",
                "ECS.5",
                "AFU9.ECS.1",
            ],
        },
        verify: Some(
            "roles the manifests do not name, and unused permissions: IAM Access Analyzer's unused-access findings",
        ),
    },
    Item {
        number: 3,
        severity: Severity::Medium,
        title: "Database connections encrypted with TLS",
        controls: &[],
        scope: Scope::Checked {
            fields: &[("DbInstance", &["spec.parameterGroup"])],
            requires: &[every("DbInstance", "parameterGroup.requireTls", "true")],
            guardrails: &["AFU9-RDS-005"],
            attested_by: &["AFU9.RDS.1"],
        },
        verify: Some(
            "no Security Hub control checks rds.force_ssl; that clients verify the server certificate (sslmode=verify-full) is in the application's configuration",
        ),
    },
    Item {
        number: 4,
        severity: Severity::High,
        title: "HTTPS enabled on ALB with valid certificate",
        controls: &["ELB.1", "ELB.17"],
        scope: Scope::Checked {
            fields: &[("LoadBalancer", &["spec.listeners"])],
            requires: &[Requirement {
                kind: "LoadBalancer",
                path: Some("listeners.*.protocol"),
                expect: Expect::Some("\"HTTPS\""),
            }],
            guardrails: &["AFU9-ELB-00", "AFU9-ELB-01"],
            attested_by: &["ELB.17"],
        },
        verify: Some(
            "the certificate's expiry and chain: ACM's renewal status (acm-certificate-expiration-check)",
        ),
    },
    Item {
        number: 5,
        severity: Severity::High,
        title: "CloudTrail enabled for audit logging",
        controls: AUDIT_CONTROLS,
        scope: Scope::Checked {
            fields: &[
                ("CloudTrail", &["spec"]),
                (
                    "Bucket",
                    &[
                        "spec.blockPublicAccess",
                        "spec.encryption",
                        "spec.versioning",
                        "spec.accessLogging",
                        "spec.policy",
                    ],
                ),
                ("LogGroup", &["spec.retentionDays", "spec.kmsKey"]),
                ("Posture", &["spec.s3BlockPublicAccess"]),
            ],
            requires: &[
                every("CloudTrail", "logging", "true"),
                every("CloudTrail", "multiRegion", "true"),
                every("CloudTrail", "logFileValidation", "true"),
            ],
            guardrails: &["AFU9-TRAIL-", "AFU9-S3-", "AFU9-LOGS-", "AFU9-POSTURE-009"],
            attested_by: AUDIT_CONTROLS,
        },
        verify: None,
    },
    Item {
        number: 6,
        severity: Severity::Medium,
        title: "CloudWatch alarms configured for security events",
        controls: &[
            "CloudWatch.1",
            "CloudWatch.2",
            "CloudWatch.4",
            "CloudWatch.5",
            "CloudWatch.10",
            "SNS.1",
            "CloudWatch.15",
        ],
        scope: Scope::Checked {
            fields: &[
                ("LogMetricFilter", &["spec"]),
                ("MetricAlarm", &["spec"]),
                ("SnsTopic", &["spec.kmsKey"]),
            ],
            requires: &[declared("LogMetricFilter"), declared("MetricAlarm")],
            guardrails: &["AFU9-FILTER-", "AFU9-ALARM-", "AFU9-SNS-"],
            attested_by: &["CloudWatch.15", "SNS.1"],
        },
        verify: Some(
            "that someone receives the alerts: the topic's subscriptions are not managed (confirm them in SNS)",
        ),
    },
    Item {
        number: 7,
        severity: Severity::Medium,
        title: "ECR image scanning enabled",
        controls: &["ECR.1", "ECR.2"],
        scope: Scope::Checked {
            fields: &[
                ("EcrRepository", &["spec.scanOnPush", "spec.tagMutability"]),
                ("Posture", &["spec.ecrRegistryScanning"]),
            ],
            requires: &[every("EcrRepository", "scanOnPush", "true")],
            guardrails: &[],
            // The repositories' own scanning and tags, and the registry's rule that scans
            // every repository, those no manifest names included.
            attested_by: &["ECR.1", "ECR.2", "AFU9.ECR.1"],
        },
        verify: None,
    },
    Item {
        number: 8,
        severity: Severity::High,
        title: "ECS tasks run in private subnets",
        controls: &["ECS.2"],
        scope: Scope::Checked {
            fields: &[(
                "EcsCluster",
                &["spec.services.*.assignPublicIp", "spec.services.*.subnets"],
            )],
            requires: &[every(
                "EcsCluster",
                "services.*.assignPublicIp",
                "\"DISABLED\"",
            )],
            guardrails: &["AFU9-CLUSTER-002"],
            attested_by: &["ECS.2"],
        },
        verify: None,
    },
    Item {
        number: 9,
        severity: Severity::High,
        title: "Security groups restrict access appropriately",
        controls: &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "RDS.2"],
        scope: Scope::Checked {
            fields: &[
                ("SecurityGroup", &["spec.ingress", "spec.egress"]),
                ("EcsCluster", &["spec.services.*.securityGroups"]),
                (
                    "DbInstance",
                    &["spec.securityGroups", "spec.publiclyAccessible"],
                ),
                ("LoadBalancer", &["spec.securityGroups"]),
            ],
            requires: &[declared("SecurityGroup")],
            guardrails: &["AFU9-SG-", "AFU9-RDS-001"],
            attested_by: &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "RDS.2"],
        },
        verify: None,
    },
    Item {
        number: 10,
        severity: Severity::Medium,
        title: "Regular security updates for dependencies",
        controls: &["ECR.1", "RDS.13"],
        scope: Scope::Checked {
            fields: &[
                ("EcrRepository", &["spec.scanOnPush"]),
                ("DbInstance", &["spec.autoMinorVersionUpgrade"]),
            ],
            requires: &[
                every("EcrRepository", "scanOnPush", "true"),
                every("DbInstance", "autoMinorVersionUpgrade", "true"),
            ],
            guardrails: &[],
            attested_by: &["ECR.1", "RDS.13"],
        },
        verify: Some(
            "only partly verified (images are scanned on push, the database takes minor upgrades): that the application's dependencies are updated needs Dependabot or Renovate on the repository, and that scan findings are acted on needs ECR's findings (DescribeImageScanFindings) or Inspector",
        ),
    },
    Item {
        number: 11,
        severity: Severity::Medium,
        title: "Secrets rotation policies in place",
        controls: &["SecretsManager.1", "SecretsManager.4"],
        scope: Scope::Checked {
            fields: &[("Secret", &["spec.rotation"])],
            requires: &[
                Requirement {
                    kind: "Secret",
                    path: Some("rotation"),
                    expect: Expect::Present,
                },
                // Automatic rotation (SecretsManager.1): a hand-rotated secret fails it unless
                // the Posture's exceptions accept the risk.
                Requirement {
                    kind: "Secret",
                    path: Some("rotation.lambda"),
                    expect: Expect::Present,
                },
            ],
            guardrails: &[],
            attested_by: &["SecretsManager.1", "SecretsManager.4"],
        },
        verify: Some(
            "that rotation succeeds (the rotation Lambda's runs) and that hand-rotated secrets are rotated by their owners before maxAgeDays",
        ),
    },
    Item {
        number: 12,
        severity: Severity::Medium,
        title: "Input validation on all API endpoints",
        controls: &["WAF.10", "ELB.16"],
        scope: Scope::Checked {
            fields: &[("WebAcl", &["spec.rules", "spec.loadBalancers"])],
            requires: &[
                present("WebAcl", "rules.*.managedRuleGroup"),
                present("WebAcl", "loadBalancers"),
            ],
            guardrails: &["AFU9-WAF-002", "AFU9-WAF-005"],
            attested_by: &["AFU9.WAF.2", "WAF.10", "ELB.16"],
        },
        verify: Some(
            "only partly verified: AWS's managed rule groups on the ALB filter known attack patterns (SQL injection, known bad inputs, the common rule set) for every endpoint; validating each endpoint's input against its schema remains the application's: schema tests per endpoint and a DAST scan (OWASP ZAP) against a staging deployment",
        ),
    },
    Item {
        number: 13,
        severity: Severity::Medium,
        title: "Rate limiting implemented",
        controls: &["ELB.16", "WAF.10", "WAF.11", "WAF.12"],
        scope: Scope::Checked {
            fields: &[(
                "WebAcl",
                &[
                    "spec.rules",
                    "spec.loadBalancers",
                    "spec.logging",
                    "spec.metrics",
                ],
            )],
            requires: &[
                present("WebAcl", "rules.*.rateLimit"),
                present("WebAcl", "loadBalancers"),
            ],
            guardrails: &["AFU9-WAF-"],
            attested_by: &["AFU9.WAF.1", "ELB.16", "WAF.11", "WAF.12"],
        },
        verify: Some(
            "that the limit (requests per 5 minutes per client IP) suits the traffic: a load test that expects HTTP 403 from WAF past it; limits per user or per key stay the application's",
        ),
    },
    Item {
        number: 14,
        severity: Severity::Informational,
        title: "Error messages don't expose sensitive data",
        controls: &[],
        scope: Scope::Outside,
        verify: Some(
            "the application's error handling: tests that provoke errors and assert no stack traces, SQL or secrets in responses, and a DAST scan",
        ),
    },
    Item {
        number: 15,
        severity: Severity::Medium,
        title: "Security headers configured",
        controls: &[],
        scope: Scope::Checked {
            fields: &[("LoadBalancer", &["spec.listeners.responseHeaders"])],
            requires: &[
                present(
                    "LoadBalancer",
                    "listeners.*.responseHeaders.strictTransportSecurity",
                ),
                present(
                    "LoadBalancer",
                    "listeners.*.responseHeaders.xContentTypeOptions",
                ),
                present("LoadBalancer", "listeners.*.responseHeaders.xFrameOptions"),
                present(
                    "LoadBalancer",
                    "listeners.*.responseHeaders.cors.allowOrigin",
                ),
            ],
            guardrails: &["AFU9-ELB-020", "AFU9-ELB-021", "AFU9-ELB-024"],
            attested_by: &[
                "AFU9.ELB.1",
                "AFU9.ELB.2",
                "AFU9.ELB.3",
                "AFU9.ELB.4",
                "AFU9.ELB.5",
            ],
        },
        verify: Some(
            "Referrer-Policy, which an ALB cannot set, stays the application's; and what the application's own responses send: a header check in end-to-end tests or a DAST scan",
        ),
    },
];
