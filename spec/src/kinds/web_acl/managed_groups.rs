//! The AWS managed rule groups AWS publishes (vendor `AWS`), from the AWS WAF Developer
//! Guide's list of AWS Managed Rules. A name outside it is refused: WAF would refuse it at
//! apply time (the emulator accepts any name; see docs/emulator-quirks.md).

/// The names of the AWS managed rule groups.
pub const AWS_MANAGED_RULE_GROUPS: &[&str] = &[
    // Baseline.
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    // Use-case specific.
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    // IP reputation.
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    // Threat and bot prevention.
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
];
