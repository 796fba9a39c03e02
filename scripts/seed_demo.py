"""Seeds the emulator with drift for the demo, through boto3 as an out-of-band change would.

- afu9/control-center exists (created by afu9-posture, so it carries the managed-by tag) but
  someone made its tags mutable, turned scanning off, deleted its lifecycle policy, changed a
  tag and added another;
- afu9/mcp-github exists with a lifecycle policy that keeps 30 images instead of 10;
- afu9/mcp-deploy and afu9/mcp-observability do not exist yet;
- afu9-task-role exists with AdministratorAccess attached and none of its inline policies;
  afu9-task-execution-role does not exist yet.
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
print("seeded: 2 drifted repositories, 2 missing; 1 over-privileged role, 1 missing")
