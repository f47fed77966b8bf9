"""The CI roles of the bootstrap stack, with moto enforcing IAM: the deploy role deploys the dev
stack through `python -m generator deploy` and can do nothing else asked of it here; the plan
role previews and cannot execute.

What moto's enforcement does not evaluate, and where it is covered instead:
- trust policies and their conditions (AssumeRoleWithWebIdentity succeeds for any token and
  any role): tests/stack/test_bootstrap.py asserts the roles' trust (the OIDC provider,
  the audience, the repository's subjects);
- conditions in a role's policy (only sts:ExternalId is ever compared): the
  cloudformation:RoleArn and iam:PassedToService conditions are asserted on the template;
- iam:PassRole, and the execution role itself: moto creates the stack's resources whatever
  role the change set names (it records the RoleARN, which test_bootstrap_command.py
  checks); the execution role's actions are derived and checked in tests/stack;
- a CloudFormation action's resource, which moto takes to be "*": corrected for this test
  (tests/support/moto_patches.py gives it the stack's ARN, as IAM does).
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from generator.files import COMMITTED_TEMPLATES
from generator.stack import names
from generator.stack.bootstrap.ci_roles import GITHUB_THUMBPRINTS, GITHUB_TOKEN_ISSUER, STS_AUDIENCE
from generator.stack.environments import ENVIRONMENTS
from tests.release.commands import REGION, run
from tests.support.moto_process import moto_process
from tests.support.moto_template import for_moto

REPOSITORY = "acme/food-delivery"
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
Credentials = dict[str, str]


@dataclass(frozen=True)
class EnforcedAccount:
    endpoint_url: str
    admin: Credentials
    outputs: dict[str, str]

    def client(self, service: str, credentials: Credentials) -> Any:
        return boto3.client(
            service, endpoint_url=self.endpoint_url, region_name=REGION, **credentials
        )

    def assume(self, role_arn: str) -> Credentials:
        """What aws-actions/configure-aws-credentials does with GitHub's token."""
        # botocore sends AssumeRoleWithWebIdentity unsigned, which moto's enforcement cannot
        # read (a 500): that one call goes through without it, as on AWS (where the token,
        # not a signature, authenticates it).
        _moto_api(self.endpoint_url, "reset-auth", b"1")
        sts = boto3.client("sts", endpoint_url=self.endpoint_url, region_name=REGION)
        answer = sts.assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="github-actions", WebIdentityToken="a.github.token"
        )["Credentials"]
        return {
            "aws_access_key_id": answer["AccessKeyId"],
            "aws_secret_access_key": answer["SecretAccessKey"],
            "aws_session_token": answer["SessionToken"],
        }


def _moto_api(endpoint_url: str, action: str, body: bytes) -> None:
    # (not a form: moto reads the body as it is)
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        f"{endpoint_url}/moto-api/{action}",
        data=body,
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (127.0.0.1)
        assert answer.status == 200


def environ(credentials: Credentials) -> dict[str, str]:
    """The environment of a command run with these credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_SESSION_TOKEN")}
    env["AWS_ACCESS_KEY_ID"] = credentials["aws_access_key_id"]
    env["AWS_SECRET_ACCESS_KEY"] = credentials["aws_secret_access_key"]
    if "aws_session_token" in credentials:
        env["AWS_SESSION_TOKEN"] = credentials["aws_session_token"]
    return env


@pytest.fixture(scope="module")
def account() -> Iterator[EnforcedAccount]:
    """A bootstrapped account with IAM enforced: an administrator made while moto let three
    calls through, GitHub's OIDC provider, and the bootstrap stack with its CI roles."""
    with moto_process() as endpoint_url:
        _moto_api(endpoint_url, "reset-auth", b"3")
        iam = boto3.client("iam", endpoint_url=endpoint_url, region_name=REGION)
        iam.create_user(UserName="admin")
        iam.put_user_policy(
            UserName="admin", PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY)
        )
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        admin = {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }
        # moto's CloudFormation cannot create an OIDC provider: it exists beforehand here, as
        # it does in an account that has one already (the template's parameter for that case)
        provider = boto3.client(
            "iam", endpoint_url=endpoint_url, region_name=REGION, **admin
        ).create_open_id_connect_provider(
            Url=GITHUB_TOKEN_ISSUER,
            ClientIDList=[STS_AUDIENCE],
            ThumbprintList=list(GITHUB_THUMBPRINTS),
        )["OpenIDConnectProviderArn"]
        bootstrapped = run(
            [
                "bootstrap", "--yes", "--region", REGION, "--endpoint-url", endpoint_url,
                "--parameter", f"{names.GITHUB_REPOSITORY}={REPOSITORY}",
                "--parameter", f"{names.GITHUB_OIDC_PROVIDER_ARN}={provider}",
            ],
            environ(admin),
        )  # fmt: skip
        assert bootstrapped.returncode == 0, bootstrapped.stdout + bootstrapped.stderr
        cloudformation = boto3.client(
            "cloudformation", endpoint_url=endpoint_url, region_name=REGION, **admin
        )
        [stack] = cloudformation.describe_stacks(StackName=names.BOOTSTRAP_STACK_NAME)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        # Another team's stack in the same account
        queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
        cloudformation.create_stack(StackName="another-team", TemplateBody=json.dumps(queue))
        yield EnforcedAccount(endpoint_url=endpoint_url, admin=admin, outputs=outputs)


def denial(call: Callable[[], Any]) -> str:
    """The error code of a call that fails ("" if it succeeds)."""
    try:
        call()
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        # moto answers JSON services' denials in XML, which botocore leaves in the message
        found = re.search(
            r"<Code>(\w+)</Code>", str(error.response.get("Error", {}).get("Message"))
        )
        return found.group(1) if found else code
    return ""


def moto_copy(env: str, work: Path) -> Path:
    template = json.loads((COMMITTED_TEMPLATES / ENVIRONMENTS[env].template_file_name).read_text())
    path = work / f"moto-{env}.json"
    path.write_text(for_moto(template), encoding="utf-8")
    return path


def generator(account: EnforcedAccount, credentials: Credentials, *arguments: str) -> Any:
    return run(
        [*arguments, "--region", REGION, "--endpoint-url", account.endpoint_url],
        environ(credentials),
    )


def test_without_credentials_nothing_is_allowed(account: EnforcedAccount) -> None:
    # (enforcement is on: a caller moto does not know is refused)
    nobody = {"aws_access_key_id": "AKIANOBODY", "aws_secret_access_key": "nothing"}
    s3 = account.client("s3", nobody)
    assert denial(s3.list_buckets) == "InvalidAccessKeyId"


def test_the_deploy_role_deploys_the_dev_stack_and_nothing_else(
    account: EnforcedAccount, dist: Path, tmp_path: Path
) -> None:
    ci = account.assume(account.outputs[names.OUTPUT_DEPLOY_ROLE])
    # It deploys, reading the bucket and the execution role from the bootstrap stack
    deployed = generator(
        account, ci, "deploy", "--env", "dev", "--yes",
        "--template-file", str(moto_copy("dev", tmp_path)), "--out", str(dist),
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "Stack food-delivery-dev is CREATE_COMPLETE." in deployed.stdout

    bucket = account.outputs[names.OUTPUT_ARTIFACT_BUCKET]
    s3 = account.client("s3", ci)
    cloudformation = account.client("cloudformation", ci)
    [table] = [
        name
        for name in account.client("dynamodb", account.admin).list_tables()["TableNames"]
        if name.startswith(f"food-delivery-dev-{names.ORDERS_TABLE}")
    ]
    queue = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
    # What it may do, asked directly
    assert denial(lambda: s3.put_object(Bucket=bucket, Key="releases/x.zip", Body=b"1")) == ""
    # and what it may not
    assert denial(lambda: account.client("iam", ci).create_user(UserName="mallory")) == (
        "AccessDenied"
    )
    assert denial(lambda: s3.put_object(Bucket=bucket, Key="elsewhere/x.zip", Body=b"1")) == (
        "AccessDenied"
    )
    assert denial(
        lambda: cloudformation.create_stack(StackName="another-stack", TemplateBody=queue)
    ) == ("AccessDenied")
    assert denial(lambda: cloudformation.delete_stack(StackName="another-team")) == "AccessDenied"
    assert denial(lambda: cloudformation.delete_stack(StackName="food-delivery-dev")) == (
        "AccessDenied"
    )
    # (AWS's DynamoDB names it AccessDeniedException; moto answers IAM's AccessDenied)
    dynamodb = account.client("dynamodb", ci)
    assert denial(lambda: dynamodb.delete_table(TableName=table)) == "AccessDenied"
    assert table in account.client("dynamodb", account.admin).list_tables()["TableNames"]


def test_the_plan_role_previews_and_cannot_execute(
    account: EnforcedAccount, dist: Path, tmp_path: Path
) -> None:
    ci = account.assume(account.outputs[names.OUTPUT_PLAN_ROLE])
    # It previews prod, a new stack: every resource an Add
    previewed = generator(
        account, ci, "diff", "--env", "prod",
        "--template-file", str(moto_copy("prod", tmp_path)), "--out", str(dist),
    )  # fmt: skip
    assert previewed.returncode == 1, previewed.stdout + previewed.stderr
    assert "Stack food-delivery-prod (prod, new stack):" in previewed.stdout
    # The empty stack that change set made stays: the role may not delete stacks
    assert "Stack food-delivery-prod stays, empty (REVIEW_IN_PROGRESS)" in previewed.stdout
    # It cannot execute a change set, nor publish a release
    cloudformation = account.client("cloudformation", ci)
    created = cloudformation.create_change_set(
        StackName="food-delivery-prod",
        ChangeSetName="from-a-pull-request",
        ChangeSetType="CREATE",
        TemplateBody=moto_copy("prod", tmp_path).read_text(),
        RoleARN=account.outputs[names.OUTPUT_EXECUTION_ROLE],
        Capabilities=["CAPABILITY_IAM"],
    )
    assert denial(lambda: cloudformation.execute_change_set(ChangeSetName=created["Id"])) == (
        "AccessDenied"
    )
    bucket = account.outputs[names.OUTPUT_ARTIFACT_BUCKET]
    s3 = account.client("s3", ci)
    assert denial(lambda: s3.put_object(Bucket=bucket, Key="releases/x.zip", Body=b"1")) == (
        "AccessDenied"
    )
