"""Mistakes a user can make with deploy and diff: one line on stderr, no traceback, exit 2 for
usage errors and 1 otherwise (diff: 2 for every error), and nothing deployed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from tests.release.commands import REGION, Commands, change_sets, force_stack_status
from tests.support.cli import assert_clean_error, without_aws_settings

MINIMAL_TEMPLATE = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
# Each command, with what it needs to run without a terminal, and its exit status on errors.
COMMANDS = [("deploy", ("--yes",), 1), ("diff", (), 2)]


def assert_no_stack(cloudformation: Any, stack: str) -> None:
    with pytest.raises(cloudformation.exceptions.ClientError, match="does not exist"):
        cloudformation.describe_stacks(StackName=stack)


@pytest.fixture
def stack_in(cloudformation: Any) -> Callable[[str, str], str]:
    """A stack put in a given state (moto itself never leaves one in these states)."""

    def make(stack: str, status: str) -> str:
        cloudformation.create_stack(StackName=stack, TemplateBody=MINIMAL_TEMPLATE)
        force_stack_status(stack, status)
        return stack

    return make


def test_without_a_terminal_deploy_needs_yes(commands: Commands, cloudformation: Any) -> None:
    # Given no terminal to ask on (stdin is not one), and neither --yes nor --no-execute
    result = commands.deploy("errors-no-terminal")
    # Then deploy stops before doing anything, saying what to pass
    assert_clean_error(result, 2, "no terminal to confirm", "--yes", "--no-execute")
    assert_no_stack(cloudformation, "errors-no-terminal")


@pytest.mark.parametrize(("command", "extra", "status"), COMMANDS)
def test_no_credentials(
    commands: Commands, command: str, extra: tuple[str, ...], status: int
) -> None:
    # Given a region and no credentials anywhere (and no instance metadata to ask)
    environ = without_aws_settings()
    environ["AWS_REGION"] = REGION
    # When the command runs
    result = getattr(commands, command)("errors-no-credentials", *extra, environ=environ)
    # Then one line says how to provide them
    assert_clean_error(result, status, "no AWS credentials", "AWS_PROFILE")


@pytest.mark.parametrize(("command", "extra", "status"), COMMANDS)
def test_a_missing_bucket_fails_before_anything_is_built(
    commands: Commands,
    cloudformation: Any,
    tmp_path: Any,
    command: str,
    extra: tuple[str, ...],
    status: int,
) -> None:
    # Given a bucket that does not exist, and an empty build directory
    elsewhere = replace(commands, bucket="no-such-bucket-for-deploy", dist=tmp_path)
    # When the command runs
    result = getattr(elsewhere, command)("errors-no-bucket", *extra)
    # Then one line says so and how to make it; nothing was built or created
    assert_clean_error(result, status, "bucket no-such-bucket-for-deploy does not exist", "s3 mb")
    assert not list(tmp_path.iterdir())
    assert_no_stack(cloudformation, "errors-no-bucket")


def test_a_stack_whose_creation_failed_must_be_deleted_first(
    commands: Commands, stack_in: Callable[[str, str], str]
) -> None:
    # Given a stack in ROLLBACK_COMPLETE (its creation failed; AWS cannot update it)
    stack = stack_in("errors-rolled-back", "ROLLBACK_COMPLETE")
    # When it is deployed
    result = commands.deploy(stack, "--yes")
    # Then one line says to delete it, and how
    assert_clean_error(
        result,
        1,
        f"stack {stack} is ROLLBACK_COMPLETE",
        f"aws cloudformation delete-stack --stack-name {stack} --region {REGION}",
        "then deploy again",
    )
    assert "Executing" not in result.stdout


@pytest.mark.parametrize(
    ("status", "waiter"),
    [
        ("UPDATE_IN_PROGRESS", "stack-update-complete"),
        ("CREATE_IN_PROGRESS", "stack-create-complete"),
        ("UPDATE_ROLLBACK_IN_PROGRESS", "stack-rollback-complete"),
    ],
)
def test_a_stack_busy_with_another_operation_is_left_alone(
    commands: Commands,
    stack_in: Callable[[str, str], str],
    cloudformation: Any,
    status: str,
    waiter: str,
) -> None:
    # Given a stack in the middle of another operation
    stack = stack_in(f"errors-busy-{waiter}", status)
    # When it is diffed and deployed
    diffed = commands.diff(stack)
    deployed = commands.deploy(stack, "--yes")
    # Then both say to wait for it, with the command that waits
    for result, exit_status in ((diffed, 2), (deployed, 1)):
        assert_clean_error(
            result,
            exit_status,
            f"stack {stack} is {status}",
            f"aws cloudformation wait {waiter} --stack-name {stack}",
        )
    assert change_sets(cloudformation, stack) == {}


@pytest.mark.parametrize(
    ("parameter", "fragments"),
    [
        ("ReservedConcurrency", ("'ReservedConcurrency' is not KEY=VALUE",)),
        ("=5", ("'=5' is not KEY=VALUE",)),
        ("Concurrency=5", ("--parameter Concurrency", "no such parameter", "ReservedConcurrency")),
        ("ArtifactKey=x.zip", ("--parameter ArtifactKey: deploy sets it", "--artifact-bucket")),
    ],
)
@pytest.mark.parametrize(("command", "extra", "status"), COMMANDS)
def test_a_bad_parameter_is_a_usage_error(
    commands: Commands,
    cloudformation: Any,
    parameter: str,
    fragments: tuple[str, ...],
    command: str,
    extra: tuple[str, ...],
    status: int,
) -> None:
    result = getattr(commands, command)("errors-parameter", *extra, "--parameter", parameter)
    assert_clean_error(result, 2, *fragments)
    assert_no_stack(cloudformation, "errors-parameter")


def test_a_parameter_given_twice_is_a_usage_error(commands: Commands) -> None:
    result = commands.deploy(
        "errors-parameter", "--yes", "--parameter", "AlertEmail=a@b.c", "--parameter", "AlertEmail="
    )
    assert_clean_error(result, 2, "--parameter AlertEmail is given twice")


@pytest.mark.parametrize(("command", "extra", "status"), COMMANDS)
def test_an_unknown_environment_is_a_usage_error(
    commands: Commands, command: str, extra: tuple[str, ...], status: int
) -> None:
    template = commands.moto_template("dev")
    result = getattr(commands, command)("errors-env", *extra, env="staging", template=template)
    assert_clean_error(result, 2, "--env", "invalid choice: 'staging'")
