"""cfn-lint, informational rules included, finds nothing in any template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.support.templates import TEMPLATE_FILES, generated_templates

ROOT = Path(__file__).resolve().parents[2]
# Regions where the stack is meant to run; cfn-lint checks resource availability per region.
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]


@pytest.mark.parametrize("file_name", TEMPLATE_FILES)
def test_cfn_lint_reports_nothing(file_name: str) -> None:
    # Given the template as generated
    template = generated_templates()[file_name]

    # When cfn-lint runs with informational rules included
    matches = lint(template, config=ManualArgs(include_checks=["I"], regions=REGIONS))

    # Then it reports nothing at all
    assert [str(match) for match in matches] == []


def test_cfn_lint_catches_a_broken_template() -> None:
    # Given a template with a property cfn-lint must reject (guards against a silent linter)
    template = render(ENVIRONMENTS["dev"]).text.replace('"python3.13"', '"python2.7"', 1)

    # When linted, Then the deprecated runtime is reported
    matches = lint(template, config=ManualArgs(include_checks=["I"], regions=REGIONS))
    assert any("python2.7" in str(match) for match in matches)


def test_plain_cfn_lint_lints_every_template_and_only_templates() -> None:
    # Given .cfnlintrc.yaml, which `cfn-lint` with no arguments (and tox -e lint) reads
    config = yaml.safe_load((ROOT / ".cfnlintrc.yaml").read_text())
    listed = {path for pattern in config["templates"] for path in ROOT.glob(pattern)}
    ignored = {
        path for pattern in config.get("ignore_templates", []) for path in ROOT.glob(pattern)
    }
    # Then informational rules are on, and it names each template the generator writes, and
    # nothing else it writes there
    expected = {ROOT / "templates" / name for name in TEMPLATE_FILES}
    assert config["include_checks"] == ["I"]
    assert listed - ignored == expected
    # And run as a user runs it (the `cfn-lint` script calls this), it passes in silence
    result = subprocess.run(
        [sys.executable, "-c", "from cfnlint.runner import main; main()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
