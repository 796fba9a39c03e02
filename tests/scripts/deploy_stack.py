"""Creates deploy/afu9-posture.yaml as a stack in the emulator (AWS_ENDPOINT_URL), and as a
StackSet with instances in two accounts, then prints what was created as one JSON document
for the test to judge: the stack's status and outputs, the task definition's containers, the
controller's security group rules, and the task role's policies."""

import json
import os
import sys

import boto3

# The harness sets AWS_REGION, which boto3 does not read.
boto3.setup_default_session(region_name=os.environ["AWS_REGION"])

template_path = sys.argv[1]
template = open(template_path, encoding="utf-8").read()

ec2 = boto3.client("ec2")
cloudformation = boto3.client("cloudformation")

vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
subnets = [
    ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24")["Subnet"]["SubnetId"]
    for i in (1, 2)
]
prometheus = ec2.create_security_group(
    GroupName="prometheus", Description="Prometheus", VpcId=vpc
)["GroupId"]

status_token = boto3.client("secretsmanager").create_secret(
    Name="afu9-posture/status-token", SecretString="0123456789abcdef0123456789abcdef"
)["ARN"]

parameters = [
    {"ParameterKey": "StatusTokenSecretArn", "ParameterValue": status_token},
    {"ParameterKey": "VpcId", "ParameterValue": vpc},
    {"ParameterKey": "PrivateSubnetIds", "ParameterValue": ",".join(subnets)},
    {"ParameterKey": "ControllerImage", "ParameterValue": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/afu9-posture@sha256:" + "0" * 64},
    {"ParameterKey": "GitRepository", "ParameterValue": "https://github.com/example/afu9-desired-state.git"},
    {"ParameterKey": "PrometheusSecurityGroupId", "ParameterValue": prometheus},
]
cloudformation.create_stack(
    StackName="afu9-posture",
    TemplateBody=template,
    Parameters=parameters,
    Capabilities=["CAPABILITY_IAM"],
)
stack = cloudformation.describe_stacks(StackName="afu9-posture")["Stacks"][0]
outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
resources = {
    r["LogicalResourceId"]: r["ResourceStatus"]
    for r in cloudformation.describe_stack_resources(StackName="afu9-posture")["StackResources"]
}

ecs = boto3.client("ecs")
task_definition = ecs.describe_task_definition(taskDefinition="afu9-posture-controller")["taskDefinition"]

group = ec2.describe_security_groups(GroupIds=[outputs["SecurityGroupId"]])["SecurityGroups"][0]

iam = boto3.client("iam")
role_name = outputs["TaskRoleArn"].rsplit("/", 1)[1]
inline_policies = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
managed_policies = []
for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
    version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
    managed_policies.append(
        iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)[
            "PolicyVersion"
        ]["Document"]
    )

def network(session_ec2, cidr):
    """A VPC and two subnets: what each account's stack is given."""
    vpc_id = session_ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        session_ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{cidr}.{i}.0/24")["Subnet"]["SubnetId"]
        for i in (1, 2)
    ]
    return vpc_id, subnet_ids


# The organisation's way: one StackSet, an instance per member account, each given its own
# network. moto deploys each instance as a stack in that account.
member_parameters = [
    p for p in parameters if p["ParameterKey"] not in ("VpcId", "PrivateSubnetIds", "PrometheusSecurityGroupId")
]
cloudformation.create_stack_set(
    StackSetName="afu9-posture",
    TemplateBody=template,
    Parameters=member_parameters,
    Capabilities=["CAPABILITY_IAM"],
)
sts = boto3.client("sts")
member_stacks = {}
for number, account in enumerate(["111111111111", "222222222222"]):
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="afu9-posture-test",
    )["Credentials"]
    member = boto3.Session(
        region_name=os.environ["AWS_REGION"],
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    member_vpc, member_subnets = network(member.client("ec2"), f"10.{50 + number}")
    cloudformation.create_stack_instances(
        StackSetName="afu9-posture",
        Accounts=[account],
        Regions=[os.environ["AWS_REGION"]],
        # moto replaces the StackSet's parameters with the overrides instead of merging them.
        ParameterOverrides=member_parameters + [
            {"ParameterKey": "VpcId", "ParameterValue": member_vpc},
            {"ParameterKey": "PrivateSubnetIds", "ParameterValue": ",".join(member_subnets)},
        ],
    )
    member_cloudformation = member.client("cloudformation")
    member_stacks[account] = [
        {
            "status": s["StackStatus"],
            "services": member.client("ecs").list_services(cluster="afu9-posture")["serviceArns"],
        }
        for s in member_cloudformation.describe_stacks()["Stacks"]
    ]

json.dump(
    {
        "status": stack["StackStatus"],
        "outputs": outputs,
        "resources": resources,
        "containers": task_definition["containerDefinitions"],
        "ingress": group["IpPermissions"],
        "prometheus_group": prometheus,
        "task_role_inline_policies": inline_policies,
        "task_role_managed_policies": managed_policies,
        "member_stacks": member_stacks,
    },
    sys.stdout,
    default=str,
)
