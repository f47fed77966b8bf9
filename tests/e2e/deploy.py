"""Deploying the shipped templates into moto's server with the real `aws` CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.aws import FAKE_CREDENTIALS
from tests.support.moto_template import for_moto

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def cli_environment(endpoint_url: str) -> dict[str, str]:
    """Environment for a CLI subprocess: fake credentials, every service on moto's server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(FAKE_CREDENTIALS)
    # Every client of the CLI (S3 included, not only the one --endpoint-url names) goes to moto.
    env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


def aws_executable() -> str:
    beside_python = Path(sys.executable).with_name("aws")
    found = str(beside_python) if beside_python.exists() else shutil.which("aws")
    assert found, "the aws CLI (awscli, a test dependency) is not installed"
    return found


def run(command: list[str], endpoint_url: str, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=cli_environment(endpoint_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
        f"{result.stderr[-3000:]}"
    )
    return result


@dataclass(frozen=True)
class UploadedArtifact:
    bucket: str
    key: str
    output: str

    @property
    def deploy_command(self) -> str:
        """The command `package` printed under "deploy with:"."""
        _, _, after = self.output.partition("deploy with:\n")
        command = after.strip().splitlines()[0].strip()
        assert command.startswith("aws cloudformation deploy"), self.output
        return command


def package_and_upload(endpoint_url: str, bucket: str, prefix: str, out: Path) -> UploadedArtifact:
    """`python -m generator package --upload`, as a user runs it."""
    result = run(
        [
            sys.executable,
            "-m",
            "generator",
            "package",
            "--out",
            str(out),
            "--upload",
            f"s3://{bucket}/{prefix}",
            "--endpoint-url",
            endpoint_url,
        ],
        endpoint_url,
    )
    match = re.search(r"(?:uploaded to|already at) s3://([^/\s]+)/(\S+\.zip)", result.stdout)
    assert match, result.stdout
    return UploadedArtifact(bucket=match.group(1), key=match.group(2), output=result.stdout)


def deploy(
    endpoint_url: str,
    template_name: str,
    stack_name: str,
    parameters: Mapping[str, str],
    work_dir: Path,
) -> None:
    """`aws cloudformation deploy` of the committed template (moto's test-only copy of it)."""
    template = json.loads((TEMPLATES / template_name).read_text(encoding="utf-8"))
    copy_path = work_dir / f"moto-{template_name}"
    copy_path.write_text(for_moto(template), encoding="utf-8")
    run(
        [
            aws_executable(),
            "cloudformation",
            "deploy",
            "--template-file",
            str(copy_path),
            "--stack-name",
            stack_name,
            "--capabilities",
            "CAPABILITY_IAM",
            "--no-fail-on-empty-changeset",
            "--endpoint-url",
            endpoint_url,
            "--parameter-overrides",
            *(f"{name}={value}" for name, value in sorted(parameters.items())),
        ],
        endpoint_url,
    )


def delete(endpoint_url: str, stack_name: str) -> None:
    run(
        [
            aws_executable(),
            "cloudformation",
            "delete-stack",
            "--stack-name",
            stack_name,
            "--endpoint-url",
            endpoint_url,
        ],
        endpoint_url,
    )
    run(
        [
            aws_executable(),
            "cloudformation",
            "wait",
            "stack-delete-complete",
            "--stack-name",
            stack_name,
            "--endpoint-url",
            endpoint_url,
        ],
        endpoint_url,
    )


def stack_resources(cloudformation: Any, stack_name: str) -> dict[str, dict[str, Any]]:
    paginator = cloudformation.get_paginator("list_stack_resources")
    return {
        summary["LogicalResourceId"]: summary
        for page in paginator.paginate(StackName=stack_name)
        for summary in page["StackResourceSummaries"]
    }
