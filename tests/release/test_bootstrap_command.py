"""`python -m generator bootstrap` against moto, and `deploy`/`diff` finding the artifact
bucket and the execution role in the bootstrap stack's outputs.

A moto process of this module's own (tests/support/moto_process.py): the stack names are the
defaults (food-delivery-bootstrap, food-delivery-dev), which no other test may share, and moto
reports a stack's outputs after a change set only with the correction made there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from generator.files import COMMITTED_TEMPLATES
from generator.stack import names
from generator.stack.environments import ENVIRONMENTS
from tests.release.commands import REGION, run, stack_status
from tests.support.cli import assert_clean_error
from tests.support.moto_process import moto_process
from tests.support.moto_template import for_moto

BOOTSTRAP_TEMPLATE = COMMITTED_TEMPLATES / names.BOOTSTRAP_TEMPLATE_FILE_NAME


@dataclass(frozen=True)
class Account:
    endpoint_url: str
    dist: Path
    work: Path
    bootstrapped: Any  # the first bootstrap's CompletedProcess

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION)

    def outputs(self, stack: str = names.BOOTSTRAP_STACK_NAME) -> dict[str, str]:
        [found] = self.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
        return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", ())}

    def generator(self, *arguments: str) -> Any:
        return run([*arguments, "--region", REGION, "--endpoint-url", self.endpoint_url])

    def app(self, command: str, env: str, *extra: str) -> Any:
        """deploy or diff of the environment's moto copy, with no bucket and no role given."""
        template = json.loads(
            (COMMITTED_TEMPLATES / ENVIRONMENTS[env].template_file_name).read_text()
        )
        path = self.work / f"moto-{env}.json"
        path.write_text(for_moto(template), encoding="utf-8")
        return self.generator(
            command, "--env", env, "--template-file", str(path), "--out", str(self.dist), *extra
        )


@pytest.fixture(scope="module")
def account(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    with moto_process() as endpoint_url:
        bootstrapped = run(
            ["bootstrap", "--yes", "--region", REGION, "--endpoint-url", endpoint_url]
        )
        yield Account(
            endpoint_url=endpoint_url,
            dist=dist,
            work=tmp_path_factory.mktemp("bootstrap"),
            bootstrapped=bootstrapped,
        )


def test_bootstrap_help_names_its_options() -> None:
    result = run(["bootstrap", "--help"])
    assert result.returncode == 0, result.stderr
    for option in ("--stack-name", "--parameter", "--no-execute", "--yes", "--allow-replacement"):
        assert option in result.stdout
    assert names.BOOTSTRAP_STACK_NAME in result.stdout


def test_bootstrap_creates_the_stack_through_a_change_set_and_prints_its_outputs(
    account: Account,
) -> None:
    result = account.bootstrapped
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Stack {names.BOOTSTRAP_STACK_NAME} (bootstrap, new stack):" in result.stdout
    assert f"Stack {names.BOOTSTRAP_STACK_NAME} is CREATE_COMPLETE." in result.stdout
    outputs = account.outputs()
    for key in (names.OUTPUT_ARTIFACT_BUCKET, names.OUTPUT_EXECUTION_ROLE):
        assert f"  {key}" in result.stdout
        assert outputs[key] in result.stdout
    assert outputs[names.OUTPUT_ARTIFACT_PREFIX] == names.ARTIFACT_PREFIX
    assert (
        "Deploy an app stack with: python -m generator deploy --env dev --region "
        f"{REGION} --endpoint-url {account.endpoint_url}"
    ) in result.stdout
    # The bucket and the execution role exist, with every derived policy attached
    account.client("s3").head_bucket(Bucket=outputs[names.OUTPUT_ARTIFACT_BUCKET])
    role = outputs[names.OUTPUT_EXECUTION_ROLE].rsplit("/", 1)[1]
    attached = account.client("iam").list_attached_role_policies(RoleName=role)
    template = json.loads(BOOTSTRAP_TEMPLATE.read_text())
    derived = [
        key for key in template["Resources"] if key.startswith(names.EXECUTION_POLICY_PREFIX)
    ]
    assert len(attached["AttachedPolicies"]) == len(derived) > 0


def test_a_second_bootstrap_changes_nothing(account: Account) -> None:
    result = account.generator("bootstrap", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Stack {names.BOOTSTRAP_STACK_NAME}: no changes" in result.stdout


def test_no_execute_leaves_the_change_set_for_review(account: Account) -> None:
    result = account.generator("bootstrap", "--stack-name", "bootstrap-review", "--no-execute")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is left for review; nothing was executed" in result.stdout
    assert (
        stack_status(account.client("cloudformation"), "bootstrap-review") == "REVIEW_IN_PROGRESS"
    )


def test_replacing_the_artifact_bucket_is_refused(account: Account) -> None:
    # Given a bootstrap template whose bucket changes (moto does not say whether that
    # replaces it: refused as a possible replacement)
    template = json.loads(BOOTSTRAP_TEMPLATE.read_text())
    bucket = template["Resources"][names.ARTIFACT_BUCKET_RESOURCE]["Properties"]
    bucket["Tags"] = [{"Key": "team", "Value": "platform"}]
    changed = account.work / "bootstrap-changed.json"
    changed.write_text(json.dumps(template), encoding="utf-8")
    # When it is deployed
    result = account.generator("bootstrap", "--yes", "--template-file", str(changed))
    # Then it is refused, naming what the bucket holds, and nothing changed
    assert_clean_error(
        result,
        3,
        f"{names.ARTIFACT_BUCKET_RESOURCE} (AWS::S3::Bucket)",
        "every release the stacks were deployed from",
    )
    after = account.generator("bootstrap", "--yes")
    assert f"Stack {names.BOOTSTRAP_STACK_NAME}: no changes" in after.stdout


def test_deploy_uploads_to_the_bootstrap_bucket_and_runs_as_its_execution_role(
    account: Account,
) -> None:
    outputs = account.outputs()
    bucket = outputs[names.OUTPUT_ARTIFACT_BUCKET]
    result = account.app("deploy", "dev", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"from stack {names.BOOTSTRAP_STACK_NAME}" in result.stdout
    assert f"CloudFormation works as: {outputs[names.OUTPUT_EXECUTION_ROLE]}" in result.stdout
    assert f"uploaded to s3://{bucket}/{names.ARTIFACT_PREFIX}/handlers-" in result.stdout
    stack_name = ENVIRONMENTS["dev"].stack_name
    [stack] = account.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    assert stack["RoleARN"] == outputs[names.OUTPUT_EXECUTION_ROLE]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters[names.ARTIFACT_BUCKET] == bucket
    assert parameters[names.ARTIFACT_KEY].startswith(f"{names.ARTIFACT_PREFIX}/handlers-")
    # And diff, with the same inputs, finds nothing to change
    again = account.app("diff", "dev")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Stack {stack_name}: no changes" in again.stdout


def test_diff_of_a_new_stack_shows_the_bucket_and_the_role(account: Account) -> None:
    outputs = account.outputs()
    result = account.app("diff", "prod")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"CloudFormation works as: {outputs[names.OUTPUT_EXECUTION_ROLE]}" in result.stdout
    assert f"'{outputs[names.OUTPUT_ARTIFACT_BUCKET]}'" in result.stdout


def test_given_bucket_and_role_need_no_bootstrap_stack(account: Account) -> None:
    bucket = account.outputs()[names.OUTPUT_ARTIFACT_BUCKET]
    role = "arn:aws:iam::123456789012:role/given-role"
    result = account.app(
        "diff", "prod", "--bootstrap-stack-name", "no-such-stack",
        "--artifact-bucket", bucket, "--artifact-prefix", "given", "--role-arn", role,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"CloudFormation works as: {role}" in result.stdout
    assert "'given/handlers-" in result.stdout


def test_without_a_bootstrap_stack_or_a_bucket_deploy_says_what_to_do(account: Account) -> None:
    result = account.app("deploy", "dev", "--yes", "--bootstrap-stack-name", "no-such-stack")
    assert_clean_error(
        result,
        1,
        "no bootstrap stack no-such-stack",
        "python -m generator bootstrap",
        "--artifact-bucket",
    )


def test_another_stack_name_needs_a_role_of_its_own(account: Account) -> None:
    result = account.app("deploy", "dev", "--yes", "--stack-name", "elsewhere")
    assert_clean_error(result, 2, "--stack-name elsewhere", "food-delivery-dev", "--role-arn")


def test_a_prefix_without_a_bucket_is_a_usage_error(account: Account) -> None:
    result = account.app("diff", "dev", "--artifact-prefix", "mine")
    assert_clean_error(result, 2, "--artifact-prefix needs --artifact-bucket")


def test_a_stack_without_the_outputs_is_named(account: Account) -> None:
    # Given a stack that is not a bootstrap stack
    queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    account.client("cloudformation").create_stack(
        StackName="not-a-bootstrap-stack", TemplateBody=json.dumps(queue)
    )
    result = account.app("diff", "dev", "--bootstrap-stack-name", "not-a-bootstrap-stack")
    assert_clean_error(
        result,
        2,
        "stack not-a-bootstrap-stack reports no output ArtifactBucketName, ArtifactPrefix, "
        "ExecutionRoleArn",
        "--bootstrap-stack-name",
    )


def test_a_bootstrap_stack_not_deployed_yet_is_named(account: Account) -> None:
    # Given a bootstrap stack that only holds a change set
    review = account.generator("bootstrap", "--stack-name", "bootstrap-unexecuted", "--no-execute")
    assert review.returncode == 0, review.stderr
    result = account.app("diff", "dev", "--bootstrap-stack-name", "bootstrap-unexecuted")
    assert_clean_error(
        result, 2, "bootstrap stack bootstrap-unexecuted is REVIEW_IN_PROGRESS: deploy it first"
    )
    # And with a bucket given, it is as good as none: the caller's own credentials deploy
    bucket = account.outputs()[names.OUTPUT_ARTIFACT_BUCKET]
    given = account.app(
        "diff",
        "prod",
        "--bootstrap-stack-name",
        "bootstrap-unexecuted",
        "--artifact-bucket",
        bucket,
    )
    assert given.returncode == 1, given.stdout + given.stderr
    assert "CloudFormation works as" not in given.stdout
