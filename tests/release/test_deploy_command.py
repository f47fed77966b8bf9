"""`python -m generator deploy` against moto's server on 127.0.0.1: a first deploy creates the
stack, a second changes nothing, --no-execute leaves a change set for review, the guard rail
refuses to replace the orders table, a failing resource stops the deploy with its reason.

moto's change sets carry no Replacement and its stacks report only their own events: here the
guard rail meets a Modify of the table that does not say whether it replaces it (refused as a
possible replacement); test_guard_rails.py and test_stack_events.py cover AWS's answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.release.commands import (
    PREFIX,
    REGION,
    Commands,
    change_sets,
    rekey_orders_table,
    stack_status,
    with_a_rejected_queue,
)
from tests.support.cli import assert_clean_error


@dataclass(frozen=True)
class Deployed:
    env: str
    stack: str
    output: str
    artifact_key: str


def first_deploy(commands: Commands, env: str) -> Deployed:
    stack = f"deploy-tests-{env}"
    result = commands.deploy(stack, "--yes", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(
        rf"(?:uploaded to|already at) s3://{commands.bucket}/(\S+\.zip)", result.stdout
    )
    assert match, result.stdout
    return Deployed(env=env, stack=stack, output=result.stdout, artifact_key=match.group(1))


@pytest.fixture(scope="module")
def dev_stack(commands: Commands) -> Deployed:
    return first_deploy(commands, "dev")


@pytest.fixture(scope="module")
def prod_stack(commands: Commands) -> Deployed:
    return first_deploy(commands, "prod")


@pytest.fixture(params=["dev", "prod"])
def deployed(request: pytest.FixtureRequest) -> Deployed:
    return request.getfixturevalue(f"{request.param}_stack")


def table_key_schema(moto_server: str, stack: str) -> list[dict[str, str]]:
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_server, region_name=REGION)
    resources = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    [table] = [
        r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "OrdersTable"
    ]
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_server, region_name=REGION)
    return dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]


def test_a_first_deploy_uploads_the_zip_and_creates_the_stack(
    deployed: Deployed, cloudformation: Any, moto_server: str, commands: Commands
) -> None:
    # Given a stack that did not exist, deployed with --yes (no terminal)
    output = deployed.output

    # Then the preview showed every resource as added, with the parameters filled in
    assert f"Stack {deployed.stack} ({deployed.env}, new stack):" in output
    count = len(render(ENVIRONMENTS[deployed.env]).template["Resources"])
    assert f"Resources: {count} resource changes: {count} to add" in output
    assert re.search(rf"ArtifactKey +'{PREFIX}/handlers-[0-9a-f]{{12}}\.zip'", output)
    # And the stack's events were followed, one line each, from the execution on
    assert re.search(rf"CREATE_IN_PROGRESS +{deployed.stack} +AWS::CloudFormation::Stack", output)
    assert re.search(rf"CREATE_COMPLETE +{deployed.stack} +AWS::CloudFormation::Stack", output)
    assert "REVIEW_IN_PROGRESS" not in output  # the event before the execution is not news
    assert f"Stack {deployed.stack} is CREATE_COMPLETE." in output
    # And the stack runs the uploaded zip
    assert stack_status(cloudformation, deployed.stack) == "CREATE_COMPLETE"
    [stack] = cloudformation.describe_stacks(StackName=deployed.stack)["Stacks"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["ArtifactKey"] == deployed.artifact_key
    assert parameters["ArtifactBucket"] == commands.bucket
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name=REGION)
    assert s3.head_object(Bucket=commands.bucket, Key=deployed.artifact_key)["ContentLength"] > 0
    # And moto reports no outputs after a change set (a gap of moto's): said, not invented
    assert "Outputs: none reported" in output


def test_a_second_deploy_with_the_same_inputs_changes_nothing(
    dev_stack: Deployed, commands: Commands, cloudformation: Any
) -> None:
    # Given the deployed stack, its events and change sets
    events_before = cloudformation.describe_stack_events(StackName=dev_stack.stack)["StackEvents"]
    change_sets_before = change_sets(cloudformation, dev_stack.stack)

    # When the same release is deployed again
    result = commands.deploy(dev_stack.stack, "--yes")

    # Then it says so and leaves the stack as it was, with no change set behind
    assert result.returncode == 0, result.stderr
    assert f"Stack {dev_stack.stack}: no changes" in result.stdout
    assert f"already at s3://{commands.bucket}/{dev_stack.artifact_key}" in result.stdout
    events_after = cloudformation.describe_stack_events(StackName=dev_stack.stack)["StackEvents"]
    assert len(events_after) == len(events_before)
    assert change_sets(cloudformation, dev_stack.stack) == change_sets_before


def test_no_execute_leaves_the_stack_unchanged_and_the_change_set_for_review(
    dev_stack: Deployed, commands: Commands, cloudformation: Any
) -> None:
    # Given the deployed stack (reserved concurrency 0 in dev)
    before = change_sets(cloudformation, dev_stack.stack)

    # When a new value is deployed with --no-execute
    result = commands.deploy(
        dev_stack.stack, "--no-execute", "--parameter", "ReservedConcurrency=5"
    )

    # Then the preview shows the change, and a change set waits for review, unexecuted
    assert result.returncode == 0, result.stderr
    assert re.search(r"ReservedConcurrency +'0' -> '5' +OrderProcessorFunction", result.stdout)
    match = re.search(r"Change set (\S+) is left for review", result.stdout)
    assert match, result.stdout
    left = match.group(1)
    assert f"aws cloudformation execute-change-set --stack-name {dev_stack.stack}" in result.stdout
    assert change_sets(cloudformation, dev_stack.stack) == {**before, left: "AVAILABLE"}
    # And the stack still has its previous value
    [stack] = cloudformation.describe_stacks(StackName=dev_stack.stack)["Stacks"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["ReservedConcurrency"] == "0"
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    cloudformation.delete_change_set(ChangeSetName=left, StackName=dev_stack.stack)


def test_a_change_set_that_would_replace_the_orders_table_is_refused(
    deployed: Deployed, commands: Commands, cloudformation: Any, moto_server: str
) -> None:
    # Given the deployed stack and a template whose table has another partition key
    key_schema = table_key_schema(moto_server, deployed.stack)
    change_sets_before = change_sets(cloudformation, deployed.stack)
    rekeyed = commands.moto_template(deployed.env, rekey_orders_table, name="rekeyed")

    # When it is deployed
    result = commands.deploy(deployed.stack, "--yes", env=deployed.env, template=rekeyed)

    # Then the deploy is refused (exit 3) in one line that names the table, and in prod its data
    line = assert_clean_error(
        result, 3, "refused", "OrdersTable (AWS::DynamoDB::Table)", "--allow-replacement"
    )
    assert ("OrdersTable (AWS::DynamoDB::Table): every order" in line) is (deployed.env == "prod")
    assert re.search(r"Modify +OrdersTable +AWS::DynamoDB::Table +unknown", result.stdout)
    assert "Executing" not in result.stdout
    # And the change set is deleted, the stack and its table untouched
    assert change_sets(cloudformation, deployed.stack) == change_sets_before
    assert stack_status(cloudformation, deployed.stack) == "CREATE_COMPLETE"
    assert table_key_schema(moto_server, deployed.stack) == key_schema


@pytest.fixture
def expendable_stack(commands: Commands, cloudformation: Any) -> Iterator[str]:
    """A dev stack of its own, for a test that changes it."""
    stack = "deploy-tests-replaced"
    result = commands.deploy(stack, "--yes")
    assert result.returncode == 0, result.stderr
    yield stack
    cloudformation.delete_stack(StackName=stack)


def test_allow_replacement_deploys_the_change_set_the_guard_rail_refuses(
    expendable_stack: str, commands: Commands, cloudformation: Any
) -> None:
    # Given a template that re-keys the orders table
    rekeyed = commands.moto_template("dev", rekey_orders_table, name="rekeyed")

    # When it is deployed with --allow-replacement
    result = commands.deploy(expendable_stack, "--yes", "--allow-replacement", template=rekeyed)

    # Then it is deployed, and said to be deployed despite the risk
    assert result.returncode == 0, result.stderr
    assert "Deploying it anyway: --allow-replacement was given." in result.stdout
    assert f"Stack {expendable_stack} is UPDATE_COMPLETE." in result.stdout
    deployed = cloudformation.get_template(StackName=expendable_stack)["TemplateBody"]
    [partition_key] = [
        key
        for key in deployed["Resources"]["OrdersTable"]["Properties"]["KeySchema"]
        if key["KeyType"] == "HASH"
    ]
    assert partition_key["AttributeName"] == "customerId"


def test_a_resource_that_fails_ends_the_deploy_with_its_reason_and_the_stack_status(
    commands: Commands, cloudformation: Any
) -> None:
    # Given a template with a queue SQS refuses to create
    rejected = commands.moto_template("dev", with_a_rejected_queue, name="rejected")

    # When it is deployed
    result = commands.deploy("deploy-tests-failing", "--yes", template=rejected)

    # Then the deploy fails with one line: what failed, why, and where the stack stands
    # (moto fails inside the execute request and leaves the stack as it was, without
    # rolling back; AWS reports the failure in an event, see test_stack_events.py)
    status = stack_status(cloudformation, "deploy-tests-failing")
    assert_clean_error(
        result,
        1,
        "deploy failed",
        "Queue name must end in .fifo",
        f"stack deploy-tests-failing is {status}",
    )
    assert "Executing change set" in result.stdout
    assert "is CREATE_COMPLETE" not in result.stdout


def test_a_template_over_the_inline_limit_deploys_from_the_bucket(
    commands: Commands, cloudformation: Any
) -> None:
    # Given the dev template grown past CloudFormation's inline limit (a template's Metadata
    # may hold anything)
    def grown(template: dict[str, Any]) -> dict[str, Any]:
        template["Metadata"] = {**template.get("Metadata", {}), "Padding": "x" * 52_000}
        return template

    big = commands.moto_template("dev", grown, name="big")
    # When it is deployed
    result = commands.deploy("deploy-big", "--yes", template=big)
    # Then it went to the bucket, CloudFormation read it from there, and the stack exists
    assert result.returncode == 0, result.stdout + result.stderr
    assert "over the inline limit) at s3://" in result.stdout
    assert stack_status(cloudformation, "deploy-big") == "CREATE_COMPLETE"
