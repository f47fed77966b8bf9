"""checkov finds no failed check in any template; every skip is declared and explained."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.stack import scanner_skips
from tests.support.templates import TEMPLATE_FILES, generated_templates

# A scan of every resource takes about ten seconds: out of the fast lane.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DECLARED_SKIPS = dict(
    (
        scanner_skips.NO_VPC,
        scanner_skips.NO_DLQ_FOR_SYNCHRONOUS_FUNCTION,
        scanner_skips.NO_RESERVED_CONCURRENCY_FOR_READS,
        scanner_skips.NO_API_CACHE,
        scanner_skips.ARTIFACT_BUCKET_WITHOUT_ACCESS_LOG,
    )
)


def _checkov_command() -> list[str]:
    executable = Path(sys.executable).with_name("checkov")
    return [str(executable if executable.exists() else shutil.which("checkov") or "checkov")]


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    # Scan the templates as generated now (the snapshot test ties them to templates/).
    directory = tmp_path_factory.mktemp("templates")
    for file_name, text in generated_templates().items():
        (directory / file_name).write_text(text)
    reports = {}
    for file_name in TEMPLATE_FILES:
        result = subprocess.run(
            [
                *_checkov_command(),
                "--file",
                str(directory / file_name),
                "--framework",
                "cloudformation",
                "--skip-download",
                "--output",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.stdout.strip(), result.stderr[-2000:]
        reports[file_name] = json.loads(result.stdout)
    return reports


@pytest.mark.parametrize("file_name", TEMPLATE_FILES)
def test_checkov_fails_no_check(checkov_report: dict[str, dict[str, Any]], file_name: str) -> None:
    report = checkov_report[file_name]
    summary = report["summary"]
    failed = [
        f"{check['check_id']} {check['resource']}: {check['check_name']}"
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert summary["failed"] == 0
    # The scan really ran: it parsed every resource and passed checks on them.
    assert summary["parsing_errors"] == 0
    resources = json.loads(generated_templates()[file_name])["Resources"]
    assert summary["resource_count"] == len(resources)
    assert summary["passed"] > 0


@pytest.mark.parametrize("file_name", TEMPLATE_FILES)
def test_every_skip_is_declared_with_its_reason(
    checkov_report: dict[str, dict[str, Any]], file_name: str
) -> None:
    skipped = checkov_report[file_name]["results"]["skipped_checks"]
    assert skipped, "expected the declared skips to be reported as skipped"
    for check in skipped:
        assert check["check_id"] in DECLARED_SKIPS, check["check_id"]
        assert check["check_result"]["suppress_comment"] == DECLARED_SKIPS[check["check_id"]]


def test_the_security_page_lists_every_skip_with_its_reason() -> None:
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for check, reason in DECLARED_SKIPS.items():
        assert check in page, check
        assert reason in page, f"docs/security.md does not give the reason for {check}"
