"""Seeds the emulator with drift for the demo, through boto3 as an out-of-band change would.

- afu9/control-center exists (created by afu9-posture, so it carries the managed-by tag) but
  someone made its tags mutable, turned scanning off, deleted its lifecycle policy, changed a
  tag and added another;
- afu9/mcp-github exists with a lifecycle policy that keeps 30 images instead of 10;
- afu9/mcp-deploy and afu9/mcp-observability do not exist yet;
- afu9-task-role exists with AdministratorAccess attached and none of its inline policies;
  afu9-task-execution-role does not exist yet;
- the VPC tagged Name=afu9-vpc exists (afu9-posture does not manage VPCs); in it afu9-ecs
  exists with SSH open to the internet and AWS's allow-all egress; afu9-alb and afu9-rds
  do not exist yet.
"""

import json
import os

import boto3

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
print(
    "seeded: 2 drifted repositories, 2 missing; 1 over-privileged role, 1 missing;"
    " 1 security group with SSH open to the internet, 2 missing"
)
