"""The README opens with the two commands, and CI runs the second one from the same block."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(
    r"^<!-- the two commands.*?-->\n```sh\n(.*?)^```\n<!-- end of the two commands -->$",
    re.M | re.S,
)


def the_two_commands() -> list[str]:
    match = BLOCK.search(README)
    assert match, "README has no marked block of the two commands"
    return match.group(1).strip().splitlines()


def test_readme_opens_with_exactly_two_commands() -> None:
    # Given the README: a title, one line of advice, then the marked block
    heading, rest = README.split("\n", 1)
    assert heading.startswith("# ")
    before_block = rest[: rest.index("<!-- the two commands")].strip()
    assert len(before_block.splitlines()) == 1
    assert "venv" in before_block
    # Then the block holds exactly the two commands
    install_and_emit, install_and_test = the_two_commands()
    assert "pip install" in install_and_emit
    assert "python -m generator" in install_and_emit
    assert "pip install" in install_and_test
    assert "[test]" in install_and_test
    assert install_and_test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    # Given the extraction .ci/run does, When run on the README, Then it yields the second command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extraction = ci[ci.index("test_command=$(") + len("test_command=$(") : ci.index("\nif [ -z")]
    extraction = extraction.rstrip(")").replace("\\\n", " ")
    result = subprocess.run(["bash", "-c", extraction], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == the_two_commands()[1]
    assert 'eval "$test_command"' in ci
