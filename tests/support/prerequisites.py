"""What some tests need from the machine beyond the Python packages of the test extra.

Where a prerequisite is missing the test is skipped, and the reason carries the one line that
installs it. CI sets REQUIRE_PREREQUISITES=1 (.ci/run), which turns each such skip into a
failure: a run that passes there has run every test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from localapi.dynamodb_local import Installation, Java

REQUIRE_PREREQUISITES = "REQUIRE_PREREQUISITES"


def required_everywhere() -> bool:
    return os.environ.get(REQUIRE_PREREQUISITES, "") not in ("", "0")


def missing(what: str, install: str) -> None:
    """Skip the calling test (or fail it, where every prerequisite is required)."""
    reason = f"{what} is not installed; install it with: {install}"
    if required_everywhere():
        pytest.fail(f"{reason} ({REQUIRE_PREREQUISITES} is set)", pytrace=False)
    pytest.skip(reason)


CHROMIUM_INSTALL = "sudo apt-get install -y chromium"


def chromium() -> Path:
    """Debian's Chromium (a browser that a test tool downloads would not run offline)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        missing("Chromium", CHROMIUM_INSTALL)
    assert found is not None
    return Path(found)


def lambda_python() -> Path:
    """The interpreter of the Lambda runtime the template names: the artifact is built with it
    and tested on nothing else."""
    from generator.release.lambda_python import find_lambda_python, install_hint, lambda_version

    found = find_lambda_python()
    if found is None:
        missing(f"Python {lambda_version()} (the Lambda runtime's)", install_hint())
    assert found is not None
    return found


def dynamodb_local() -> tuple[Installation, Java]:
    """A Java runtime DynamoDB Local runs on, and DynamoDB Local installed in the cache as serve
    finds them. Never downloads: tests do not reach the network (CI installs it ahead)."""
    from localapi import dynamodb_local as installer

    java = installer.find_java()
    if installer.java_problem(java) is not None or java is None:
        missing(
            f"Java {installer.MINIMUM_JAVA}+ (DynamoDB Local runs on it)", installer.JAVA_INSTALL
        )
    assert java is not None
    found = installer.installation()
    if not found.complete():
        missing(
            f"DynamoDB Local {installer.DYNAMODB_LOCAL_VERSION} (in {found.home})",
            installer.INSTALL_COMMAND,
        )
    return found, java
