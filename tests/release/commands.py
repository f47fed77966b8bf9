"""`python -m generator deploy` and `diff` run as a user runs them, against moto's server on
127.0.0.1, with the test-only moto copy of a template (tests/support/moto_template.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.stack.environments import ENVIRONMENTS
from tests.support.cli import ROOT
from tests.support.moto_template import for_moto

TEMPLATES = ROOT / "templates"
REGION = "eu-west-1"
PREFIX = "releases"
Change = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Commands:
    endpoint_url: str
    bucket: str
    dist: Path  # one build directory, so the zip's dependencies are installed once
    work: Path  # where the template copies go

    def moto_template(self, env: str, change: Change | None = None, name: str = "") -> Path:
        """The moto copy of the environment's template, changed by `change` if given."""
        template = json.loads((TEMPLATES / ENVIRONMENTS[env].template_file_name).read_text())
        copy = json.loads(for_moto(template))  # key order kept: it is moto's execution order
        if change is not None:
            copy = change(copy)
        path = self.work / f"moto-{env}{'-' + name if name else ''}.json"
        path.write_text(json.dumps(copy), encoding="utf-8")
        return path

    def arguments(self, stack: str, env: str, template: Path | None) -> list[str]:
        return [
            "--env",
            env,
            "--stack-name",
            stack,
            "--artifact-bucket",
            self.bucket,
            "--artifact-prefix",
            PREFIX,
            "--template-file",
            str(template or self.moto_template(env)),
            "--out",
            str(self.dist),
            "--endpoint-url",
            self.endpoint_url,
        ]

    def deploy(self, stack: str, *extra: str, **options: Any) -> subprocess.CompletedProcess[str]:
        return self._command("deploy", stack, *extra, **options)

    def diff(self, stack: str, *extra: str, **options: Any) -> subprocess.CompletedProcess[str]:
        return self._command("diff", stack, *extra, **options)

    def _command(
        self,
        command: str,
        stack: str,
        *extra: str,
        env: str = "dev",
        template: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return run([command, *self.arguments(stack, env, template), *extra], environ)


def run(
    arguments: list[str], environ: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGUMENTS` with no terminal (stdin is empty, output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *arguments],
        cwd=ROOT,
        env=dict(os.environ if environ is None else environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def stack_status(cloudformation: Any, stack: str) -> str:
    [found] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return str(found["StackStatus"])


def change_sets(cloudformation: Any, stack: str) -> dict[str, str]:
    """The stack's change sets: name -> execution status. (moto's ListChangeSets answers with
    every stack's change sets whatever StackName says: filtered here.)"""
    summaries = cloudformation.list_change_sets(StackName=stack)["Summaries"]
    return {
        summary["ChangeSetName"]: summary["ExecutionStatus"]
        for summary in summaries
        if summary["StackName"] == stack
    }


def rekey_orders_table(template: dict[str, Any]) -> dict[str, Any]:
    """The orders table partitioned by customer: a key change, which replaces a table."""
    schema = template["Resources"]["OrdersTable"]["Properties"]["KeySchema"]
    schema[0]["AttributeName"] = "customerId"
    return template


def with_a_rejected_queue(template: dict[str, Any]) -> dict[str, Any]:
    """A FIFO queue whose name lacks `.fifo`: SQS (and moto) refuse to create it. First, so
    moto (which creates resources in template order) fails before creating anything else."""
    rejected = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": "no-fifo-suffix", "FifoQueue": True},
    }
    return {**template, "Resources": {"RejectedQueue": rejected, **template["Resources"]}}


def force_stack_status(stack: str, status: str) -> None:
    """Put a stack in a state moto never reaches by itself: it completes every operation inside
    the request and never rolls back. Its server runs in this process, so its own backend is
    at hand; the command under test still reads the state over HTTP, as from AWS."""
    from moto.cloudformation.models import cloudformation_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION]
    [found] = [candidate for candidate in backend.stacks.values() if candidate.name == stack]
    found.status = status
