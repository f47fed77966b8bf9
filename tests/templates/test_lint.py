"""cfn-lint, informational rules included, finds nothing in any template."""

from __future__ import annotations


import pytest
from cfnlint.api import ManualArgs, lint

from generator.environments import ENVIRONMENTS
from generator.stack import render

# Regions where the stack is meant to run; cfn-lint checks resource availability per region.
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_cfn_lint_reports_nothing(name: str) -> None:
    # Given the template as generated
    template = render(ENVIRONMENTS[name])

    # When cfn-lint runs with informational rules included
    matches = lint(template, config=ManualArgs(include_checks=["I"], regions=REGIONS))

    # Then it reports nothing at all
    assert [str(match) for match in matches] == []


def test_cfn_lint_catches_a_broken_template() -> None:
    # Given a template with a property cfn-lint must reject (guards against a silent linter)
    template = render(ENVIRONMENTS["dev"]).replace('"python3.13"', '"python2.7"', 1)

    # When linted, Then the deprecated runtime is reported
    matches = lint(template, config=ManualArgs(include_checks=["I"], regions=REGIONS))
    assert any("python2.7" in str(match) for match in matches)
