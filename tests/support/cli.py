"""Running the project's commands as a user does, and what a clean failure looks like."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# sysfs refuses new regular files to everyone, root included.
ROOT_READ_ONLY_DIRECTORY = Path("/sys/kernel")


def run(
    arguments: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` in a fresh interpreter, as a user runs the command."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def read_only_directory(scratch: Path) -> Path:
    """A directory this process may not create files in. Permissions do not stop root, so for
    root it is a sysfs directory, where no one may."""
    if os.geteuid() == 0:
        assert ROOT_READ_ONLY_DIRECTORY.is_dir(), "sysfs is not mounted at /sys"
        return ROOT_READ_ONLY_DIRECTORY
    directory = scratch / "read-only"
    directory.mkdir(mode=0o555)
    return directory


def assert_clean_error(
    result: subprocess.CompletedProcess[str], status: int, *fragments: str
) -> str:
    """The command failed with this status and one line on stderr naming every fragment;
    returns that line."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def without_aws_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with no AWS credentials, region or profile anywhere, and botocore
    kept from asking the instance metadata service (it is not on 127.0.0.1)."""
    source = os.environ if environ is None else environ
    env = {key: value for key, value in source.items() if not key.startswith("AWS_")}
    if "AWS_ENDPOINT_URL" in source:  # the tests' dead end on 127.0.0.1: kept, to be safe
        env["AWS_ENDPOINT_URL"] = source["AWS_ENDPOINT_URL"]
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env
