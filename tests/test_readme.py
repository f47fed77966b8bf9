"""The README starts with the two commands, and CI runs the second one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _first_code_block(text: str) -> list[str]:
    match = re.search(r"^```sh\n(.*?)^```$", text, re.M | re.S)
    assert match, "README has no ```sh block"
    return match.group(1).strip().splitlines()


def test_readme_opens_with_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    heading, rest = readme.split("\n", 1)
    assert heading.startswith("# ")
    assert rest.lstrip().startswith("```sh\n")
    install_and_emit, install_and_test = _first_code_block(readme)
    assert "pip install" in install_and_emit and "python -m generator" in install_and_emit
    assert "pip install" in install_and_test and "[test]" in install_and_test
    assert install_and_test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    # .ci/run reads the command from the README (line 3 of the first sh block) and evals it
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "sed -n '/^```sh$/,/^```$/p' README.md | sed -n '3p'" in ci
    assert 'eval "$test_command"' in ci
