"""Seeds the emulator with drift for the demo, through boto3 as an out-of-band change would.

- afu9/control-center exists (created by afu9-posture, so it carries the managed-by tag) but
  someone made its tags mutable, turned scanning off, deleted its lifecycle policy, changed a
  tag and added another;
- afu9/mcp-github exists with a lifecycle policy that keeps 30 images instead of 10;
- afu9/mcp-deploy and afu9/mcp-observability do not exist yet; the registry scans on push only
  repositories under afu9/ (a repository created elsewhere pushes unscanned images);
- afu9-task-role exists with AdministratorAccess attached and none of its inline policies;
  afu9-task-execution-role does not exist yet;
- the VPC tagged Name=afu9-vpc exists (afu9-posture does not manage VPCs); in it afu9-ecs
  exists with SSH open to the internet and AWS's allow-all egress; afu9-alb and afu9-rds
  do not exist yet;
- the three AFU-9 secrets exist as their owners created them, with (dummy) values and without
  the managed-by tag (the manifests adopt them); nobody turned rotation on for afu9/database;
  its rotation Lambda exists;
- every service role (the two task roles, the trail's delivery role, the rotation Lambda's role)
  trusts its service without aws:SourceAccount or aws:SourceArn (confused deputy);
- the afu9-control-center task definition's latest revision runs its web container as root,
  privileged, with a writable root filesystem and no log configuration, under the wrong task
  role; the service afu9-control-center runs it, and it stays ACTIVE once superseded unless
  something deregisters it;
- what the platform's bootstrap creates for the audit trail: the bucket afu9-audit-logs
  (no default encryption, no Block Public Access, versioning off, no policy, no access
  logging), the log group /afu9/cloudtrail (no key, kept forever), the delivery role and the
  KMS keys alias/afu9-audit and alias/afu9-alerts; the access-log bucket afu9-access-logs,
  the key alias/afu9-logs and the log group /ecs/afu9-control-center do not exist yet;
- afu9-audit-trail exists (created by afu9-posture) but someone made it single-region, turned
  log-file validation off, stopped its logging and dropped its read events (so the guide's
  secret-access filter could never match); afu9-security-alerts exists without encryption;
  the metric filters and alarms do not exist yet;
- what the application's stack creates for the data tier and the services (afu9-posture adopts
  them and owns their security settings only): in afu9-vpc an internet gateway on the main
  route table (used by the public subnet afu9-public-a) and a private route table for
  afu9-private-a and afu9-private-b; the DB subnet group afu9-private; the parameter group
  afu9-postgres16 with rds.force_ssl = 0; the PostgreSQL database afu9-database, encrypted but
  public, without deletion protection or minor upgrades, with one day of backups, on the
  VPC's default group instead of afu9-rds; the cluster afu9 without Container Insights and its
  service afu9-control-center in the public subnet with a public IP, on the default group.
  The database is encrypted on purpose: encryption cannot be fixed in place, and a demo that
  ends with a blocked database would not end in sync (tests/tests/data.rs shows that case).
- the keys alias/afu9-audit and alias/afu9-alerts rotate nothing (KMS's default), and
  alias/afu9-secrets does not exist yet; EBS encryption by default is off (EC2's default);
- what the application's stack creates at the edge: the ALB afu9-alb in afu9-vpc, behind a
  group of its own, with HTTPS on 443 under ELBSecurityPolicy-2016-08 (TLS 1.0), plain HTTP
  on 80 forwarding instead of redirecting, a forgotten HTTP listener on 8080 and deletion
  protection off; its self-signed certificate for afu9.example.com imported into ACM; the
  access-log bucket afu9-alb-logs, as insecure as the trail's; the WAF's log group
  aws-waf-logs-afu9 (no key, kept forever).
"""

import io
import json
import os
import urllib.request
import zipfile

import boto3

from self_signed import self_signed

ecr = boto3.client(
    "ecr", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
)
owned = {"Key": "managed-by", "Value": "afu9-posture"}

ecr.create_repository(
    repositoryName="afu9/control-center",
    imageTagMutability="MUTABLE",
    imageScanningConfiguration={"scanOnPush": False},
    tags=[owned, {"Key": "project", "Value": "legacy"}, {"Key": "temp", "Value": "debugging"}],
)
ecr.create_repository(
    repositoryName="afu9/mcp-github",
    imageTagMutability="IMMUTABLE",
    imageScanningConfiguration={"scanOnPush": True},
    tags=[owned, {"Key": "project", "Value": "afu9"}],
)
keep_30 = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep the last 10 images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
            "action": {"type": "expire"},
        }
    ]
}
ecr.put_lifecycle_policy(repositoryName="afu9/mcp-github", lifecyclePolicyText=json.dumps(keep_30))
# The registry scans on push only the repositories under afu9/ (others push unscanned images).
ecr.put_registry_scanning_configuration(
    scanType="BASIC",
    rules=[
        {
            "scanFrequency": "SCAN_ON_PUSH",
            "repositoryFilters": [{"filter": "afu9/*", "filterType": "WILDCARD"}],
        }
    ],
)
iam = boto3.client(
    "iam", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
)
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
iam.create_role(
    RoleName="afu9-task-role",
    AssumeRolePolicyDocument=json.dumps(trust),
    Description="Assumed by the AFU-9 containers at run time",
    Tags=[owned, {"Key": "project", "Value": "afu9"}],
)
iam.attach_role_policy(
    RoleName="afu9-task-role", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
)
ec2 = boto3.client(
    "ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
)
vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "afu9-vpc"}])
ecs_group = ec2.create_security_group(
    GroupName="afu9-ecs",
    Description="AFU-9 ECS tasks",
    VpcId=vpc,
    TagSpecifications=[{"ResourceType": "security-group", "Tags": [owned]}],
)["GroupId"]
ec2.authorize_security_group_ingress(
    GroupId=ecs_group,
    IpPermissions=[
        {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "debugging"}],
        }
    ],
)

# Secrets Manager rotation needs the Lambda to exist; moto invokes it as a stub without Docker.
request = urllib.request.Request(
    os.environ["AWS_ENDPOINT_URL"] + "/moto-api/config",
    data=json.dumps({"lambda": {"use_docker": False}}).encode(),
    headers={"Content-Type": "application/json"},
    method="POST",
)
urllib.request.urlopen(request).close()
# Like every service role here, it trusts its service without aws:SourceAccount.
lambda_trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
lambda_role = iam.create_role(
    RoleName="afu9-rotate-db-password-role", AssumeRolePolicyDocument=json.dumps(lambda_trust)
)["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as archive:
    archive.writestr("index.py", "def handler(event, context):\n    return None\n")
boto3.client(
    "lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
).create_function(
    FunctionName="afu9-rotate-db-password",
    Runtime="python3.12",
    Role=lambda_role,
    Handler="index.handler",
    Code={"ZipFile": code.getvalue()},
)

secrets = boto3.client(
    "secretsmanager",
    endpoint_url=os.environ["AWS_ENDPOINT_URL"],
    region_name=os.environ["AWS_REGION"],
)
for name in ("afu9/database", "afu9/github", "afu9/llm"):
    # The owner stores the value; afu9-posture never reads or writes one.
    secrets.create_secret(Name=name, SecretString="dummy-value-for-the-demo")

ecs = boto3.client(
    "ecs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
)
ecs.register_task_definition(
    family="afu9-control-center",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="512",
    memory="1024",
    taskRoleArn="arn:aws:iam::123456789012:role/afu9-legacy-admin",
    executionRoleArn="arn:aws:iam::123456789012:role/afu9-task-execution-role",
    containerDefinitions=[
        {
            "name": "web",
            "image": "registry.example/afu9/control-center:1",
            "user": "root",
            "privileged": True,
            "readonlyRootFilesystem": False,
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "PORT", "value": "8080"}],
            "secrets": [
                {
                    "name": "DATABASE_PASSWORD",
                    "valueFrom": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database",
                }
            ],
        }
    ],
)

# The data tier and the service, as the application's stack creates them.
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
main_table = ec2.describe_route_tables(
    Filters=[
        {"Name": "vpc-id", "Values": [vpc]},
        {"Name": "association.main", "Values": ["true"]},
    ]
)["RouteTables"][0]["RouteTableId"]
ec2.create_route(RouteTableId=main_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
subnets = {}
for cidr, name, zone in (
    ("10.9.1.0/24", "afu9-private-a", "a"),
    ("10.9.2.0/24", "afu9-private-b", "b"),
    ("10.9.100.0/24", "afu9-public-a", "a"),
):
    subnets[name] = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock=cidr,
        AvailabilityZone=os.environ["AWS_REGION"] + zone,
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Subnet"]["SubnetId"]
for name in ("afu9-private-a", "afu9-private-b"):
    ec2.associate_route_table(RouteTableId=private_table, SubnetId=subnets[name])
default_group = ec2.describe_security_groups(
    Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
)["SecurityGroups"][0]["GroupId"]
rds = boto3.client(
    "rds", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
)
rds.create_db_subnet_group(
    DBSubnetGroupName="afu9-private",
    DBSubnetGroupDescription="AFU-9 private subnets",
    SubnetIds=[subnets["afu9-private-a"], subnets["afu9-private-b"]],
)
rds.create_db_parameter_group(
    DBParameterGroupName="afu9-postgres16",
    DBParameterGroupFamily="postgres16",
    Description="AFU-9 PostgreSQL",
)
rds.modify_db_parameter_group(
    DBParameterGroupName="afu9-postgres16",
    Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}
    ],
)
rds.create_db_instance(
    DBInstanceIdentifier="afu9-database",
    DBInstanceClass="db.t3.micro",
    Engine="postgres",
    EngineVersion="16.3",
    AllocatedStorage=20,
    MasterUsername="afu9",
    MasterUserPassword="dummy-password-for-the-emulator",
    StorageEncrypted=True,
    PubliclyAccessible=True,
    DeletionProtection=False,
    AutoMinorVersionUpgrade=False,
    BackupRetentionPeriod=1,
    VpcSecurityGroupIds=[default_group],
    DBSubnetGroupName="afu9-private",
    DBParameterGroupName="afu9-postgres16",
)
ecs.create_cluster(clusterName="afu9")
ecs.create_service(
    cluster="afu9",
    serviceName="afu9-control-center",
    taskDefinition="afu9-control-center:1",
    desiredCount=1,
    launchType="FARGATE",
    networkConfiguration={
        "awsvpcConfiguration": {
            "subnets": [subnets["afu9-public-a"]],
            "securityGroups": [default_group],
            "assignPublicIp": "ENABLED",
        }
    },
)

# The audit trail's bootstrap, and a trail and topic that drifted.
def client(name):
    return boto3.client(
        name, endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]
    )


region = os.environ["AWS_REGION"]
client("s3").create_bucket(
    Bucket="afu9-audit-logs", CreateBucketConfiguration={"LocationConstraint": region}
)
logs = client("logs")
logs.create_log_group(logGroupName="/afu9/cloudtrail")
iam.create_role(
    RoleName="afu9-cloudtrail-logs",
    AssumeRolePolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
kms = client("kms")
for alias in ["alias/afu9-audit", "alias/afu9-alerts"]:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key)
cloudtrail = client("cloudtrail")
group_arn = logs.describe_log_groups(logGroupNamePrefix="/afu9/cloudtrail")["logGroups"][0]["arn"]
cloudtrail.create_trail(
    Name="afu9-audit-trail",
    S3BucketName="afu9-audit-logs",
    IsMultiRegionTrail=False,
    EnableLogFileValidation=False,
    KmsKeyId="alias/afu9-audit",
    CloudWatchLogsLogGroupArn=group_arn,
    CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/afu9-cloudtrail-logs",
    TagsList=[owned, {"Key": "project", "Value": "afu9"}],
)
cloudtrail.put_event_selectors(
    TrailName="afu9-audit-trail",
    EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}],
)
client("sns").create_topic(
    Name="afu9-security-alerts",
    Attributes={"DisplayName": "AFU-9 security alerts"},
    Tags=[owned, {"Key": "project", "Value": "afu9"}],
)
# The edge, as the application's stack leaves it.
client("s3").create_bucket(
    Bucket="afu9-alb-logs", CreateBucketConfiguration={"LocationConstraint": region}
)
subnets = [
    ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=region + zone)["Subnet"][
        "SubnetId"
    ]
    for cidr, zone in [("10.9.201.0/24", "a"), ("10.9.202.0/24", "b")]
]
legacy_group = ec2.create_security_group(
    GroupName="stack-web", Description="created with the stack", VpcId=vpc
)["GroupId"]
elb = client("elbv2")
alb = elb.create_load_balancer(Name="afu9-alb", Subnets=subnets, SecurityGroups=[legacy_group])[
    "LoadBalancers"
][0]["LoadBalancerArn"]
target = elb.create_target_group(
    Name="afu9-control-center", Protocol="HTTP", Port=3000, VpcId=vpc
)["TargetGroups"][0]["TargetGroupArn"]
certificate, private_key = self_signed("afu9.example.com")
certificate_arn = client("acm").import_certificate(
    Certificate=certificate.encode(), PrivateKey=private_key.encode()
)["CertificateArn"]
forward = [{"Type": "forward", "TargetGroupArn": target}]
https_listener = elb.create_listener(
    LoadBalancerArn=alb,
    Protocol="HTTPS",
    Port=443,
    SslPolicy="ELBSecurityPolicy-2016-08",
    Certificates=[{"CertificateArn": certificate_arn}],
    DefaultActions=forward,
)["Listeners"][0]["ListenerArn"]
# No security headers, CORS open to any origin, and no web ACL.
elb.modify_listener_attributes(
    ListenerArn=https_listener,
    Attributes=[
        {
            "Key": "routing.http.response.access_control_allow_origin.header_value",
            "Value": "*",
        }
    ],
)
client("logs").create_log_group(logGroupName="aws-waf-logs-afu9")
for port in (80, 8080):
    elb.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=port, DefaultActions=forward)

print(
    "seeded: 2 drifted repositories, 2 missing; 1 over-privileged role, 1 missing;"
    " 1 security group with SSH open to the internet, 2 missing;"
    " 3 secrets without rotation settings; 1 task definition running as root, privileged;"
    " 1 trail single-region, unvalidated, not logging, blind to read events; 1 unencrypted topic;"
    " 6 metric filters and alarms missing; 2 keys without rotation, 2 missing;"
    " 2 log buckets unencrypted, unversioned, without Block Public Access or a TLS-only policy,"
    " 1 missing; 2 log groups unencrypted and kept forever, 1 missing;"
    " EBS encryption by default off; registry scanning for afu9/* only;"
    " 4 service roles without confused-deputy conditions;"
    " 1 ALB on TLS 1.0 with plain HTTP, an extra listener and"
    " no deletion protection, no security headers, CORS open to any origin and no web ACL"
)
