//! What the AFU-9 edge manifests refer to but do not own, created in the emulator as the
//! application's stack would leave it: an ALB in the VPC, insecure (HTTPS on 443 with the
//! 2016 policy, which allows TLS 1.0; plain HTTP on 80 forwarding; an extra HTTP listener
//! on 8080; deletion protection off; a group of its own; no web ACL; no security headers and
//! CORS open to any origin), its target group, the imported certificate, the access-log
//! bucket and the log group WAF logs to.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, ListenerAttribute, ProtocolEnum,
};

use crate::{Emulator, REGION};

/// The load balancer's name.
pub const ALB: &str = "afu9-alb";
/// The domain of its certificate.
pub const DOMAIN: &str = "afu9.example.com";
/// The bucket its access logs go to.
pub const LOG_BUCKET: &str = "afu9-alb-logs";
/// The log group the web ACL logs to.
pub const WAF_LOG_GROUP: &str = "aws-waf-logs-afu9";
/// The listener attribute of `Access-Control-Allow-Origin`.
pub const CORS_ORIGIN: &str = "routing.http.response.access_control_allow_origin.header_value";

/// Creates the insecure ALB in `vpc` (two subnets, a target group, a certificate for
/// [`DOMAIN`], three listeners) and returns its ARN.
pub async fn seed_insecure_alb(emulator: &Emulator, vpc: &str) -> String {
    let ec2 = emulator.ec2();
    let elb = emulator.elbv2();
    let mut subnets = Vec::new();
    let base = vpc_base(emulator, vpc).await;
    for (third, zone) in [(201, "a"), (202, "b")] {
        subnets.push(
            ec2.create_subnet()
                .vpc_id(vpc)
                .cidr_block(format!("{base}.{third}.0/24"))
                .availability_zone(format!("{REGION}{zone}"))
                .send()
                .await
                .expect("create a subnet")
                .subnet
                .and_then(|s| s.subnet_id)
                .expect("subnet id"),
        );
    }
    let legacy = ec2
        .create_security_group()
        .group_name("stack-web")
        .description("created with the stack")
        .vpc_id(vpc)
        .send()
        .await
        .expect("create the stack's group")
        .group_id
        .expect("group id");
    let alb = elb
        .create_load_balancer()
        .name(ALB)
        .set_subnets(Some(subnets))
        .security_groups(&legacy)
        .send()
        .await
        .expect("create the load balancer")
        .load_balancers
        .and_then(|mut l| l.pop())
        .and_then(|l| l.load_balancer_arn)
        .expect("load balancer arn");
    let target = elb
        .create_target_group()
        .name("afu9-control-center")
        .protocol(ProtocolEnum::Http)
        .port(3000)
        .vpc_id(vpc)
        .send()
        .await
        .expect("create the target group")
        .target_groups
        .and_then(|mut t| t.pop())
        .and_then(|t| t.target_group_arn)
        .expect("target group arn");
    let certificate = emulator.import_certificate(DOMAIN).await;
    let forward = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(&target)
        .build();
    let https = elb
        .create_listener()
        .load_balancer_arn(&alb)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .ssl_policy("ELBSecurityPolicy-2016-08")
        .certificates(Certificate::builder().certificate_arn(&certificate).build())
        .default_actions(forward.clone())
        .send()
        .await
        .expect("create the HTTPS listener")
        .listeners
        .and_then(|mut l| l.pop())
        .and_then(|l| l.listener_arn)
        .expect("listener arn");
    elb.modify_listener_attributes()
        .listener_arn(&https)
        .attributes(
            ListenerAttribute::builder()
                .key(CORS_ORIGIN)
                .value("*")
                .build(),
        )
        .send()
        .await
        .expect("open CORS to any origin");
    for port in [80, 8080] {
        elb.create_listener()
            .load_balancer_arn(&alb)
            .protocol(ProtocolEnum::Http)
            .port(port)
            .default_actions(forward.clone())
            .send()
            .await
            .expect("create an HTTP listener");
    }
    alb
}

/// The first two octets of the VPC's CIDR (`10.9`).
async fn vpc_base(emulator: &Emulator, vpc: &str) -> String {
    let cidr = emulator
        .ec2()
        .describe_vpcs()
        .vpc_ids(vpc)
        .send()
        .await
        .expect("describe the vpc")
        .vpcs
        .unwrap_or_default()
        .pop()
        .and_then(|v| v.cidr_block)
        .expect("the vpc's cidr");
    cidr.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Everything the AFU-9 edge manifests refer to, in the VPC tagged `Name=afu9-vpc` (which
/// must exist): the insecure ALB and the access-log bucket. Returns the ALB's ARN.
pub async fn seed_edge_prerequisites(emulator: &Emulator) -> String {
    let vpc = emulator
        .ec2()
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:Name")
                .values("afu9-vpc")
                .build(),
        )
        .send()
        .await
        .expect("describe vpcs")
        .vpcs
        .unwrap_or_default()
        .pop()
        .and_then(|v| v.vpc_id)
        .expect("the VPC tagged Name=afu9-vpc");
    emulator
        .s3()
        .create_bucket()
        .bucket(LOG_BUCKET)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("create the access-log bucket");
    emulator
        .logs()
        .create_log_group()
        .log_group_name(WAF_LOG_GROUP)
        .send()
        .await
        .expect("create the WAF log group");
    seed_insecure_alb(emulator, &vpc).await
}
