"""`python -m generator diff` against moto's server on 127.0.0.1: exit 0 when the stack is
current and 1 when a deploy would change it (like `git diff --exit-code`), naming what would
change; the change set is deleted afterwards and nothing is uploaded.

moto lists no resource change for a change of parameters only (AWS lists the resources that
use them, see test_change_set_preview.py); the preview's parameter table names them from the
template either way.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from tests.release.commands import REGION, Commands, change_sets, stack_status

STACK = "diff-tests-dev"


@pytest.fixture(scope="module")
def stack(commands: Commands) -> str:
    result = commands.deploy(STACK, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    return STACK


def test_diff_exits_0_when_the_stack_is_current_and_1_after_a_parameter_change(
    stack: str, commands: Commands, cloudformation: Any, moto_server: str
) -> None:
    # Given a deployed stack and its change sets
    before = change_sets(cloudformation, stack)

    # When it is diffed with the inputs it was deployed with
    current = commands.diff(stack)

    # Then there is nothing to deploy
    assert current.returncode == 0, current.stderr
    assert current.stdout == f"Stack {stack}: no changes\n"

    # When the release goes under another prefix (so ArtifactKey changes)
    changed = commands.diff(stack, "--artifact-prefix", "next")

    # Then diff exits 1 and names the parameter and both functions that use it
    assert changed.returncode == 1, changed.stderr
    assert re.search(
        r"ArtifactKey +'releases/handlers-[0-9a-f]{12}\.zip' -> 'next/handlers-[0-9a-f]{12}\.zip'"
        r" +OrderProcessorFunction, QueryOrdersFunction",
        changed.stdout,
    ), changed.stdout
    assert changed.stdout.startswith(f"Stack {stack} (dev, update):\nParameters:\n")
    # And nothing is left behind: no change set, no upload under the new prefix, same stack
    assert change_sets(cloudformation, stack) == before
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name=REGION)
    assert s3.list_objects_v2(Bucket=commands.bucket, Prefix="next/")["KeyCount"] == 0
    assert stack_status(cloudformation, stack) == "CREATE_COMPLETE"


def test_diff_names_the_function_a_parameter_reaches_through_a_condition(
    stack: str, commands: Commands
) -> None:
    result = commands.diff(stack, "--parameter", "ReservedConcurrency=5")
    assert result.returncode == 1, result.stderr
    assert re.search(r"ReservedConcurrency +'0' -> '5' +OrderProcessorFunction\n", result.stdout)


def test_the_output_is_the_same_every_time(stack: str, commands: Commands) -> None:
    # A preview is pasted into pull requests: two runs print the same bytes
    first = commands.diff(stack, "--artifact-prefix", "next")
    second = commands.diff(stack, "--artifact-prefix", "next")
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout


def test_a_stack_that_does_not_exist_shows_every_resource_as_add(
    commands: Commands, cloudformation: Any, rendered_templates: dict[str, Any]
) -> None:
    # When a stack that does not exist is diffed
    result = commands.diff("diff-tests-new", env="prod")

    # Then every resource of the template is an Add
    assert result.returncode == 1, result.stderr
    added = set(re.findall(r"^  Add +(\w+) ", result.stdout, flags=re.MULTILINE))
    assert added == set(rendered_templates["prod"]["Resources"])
    assert f"Resources: {len(added)} resource changes: {len(added)} to add" in result.stdout
    # And no stack is left holding the change set
    with pytest.raises(cloudformation.exceptions.ClientError, match="does not exist"):
        cloudformation.describe_stacks(StackName="diff-tests-new")
