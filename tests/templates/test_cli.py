"""python -m generator: determinism across interpreter runs, --check, --env, --out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.environments import ENVIRONMENTS
from tests.support import cli

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def _generate(out: Path, hash_seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_output_is_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    # Given two runs in fresh interpreters with different hash seeds
    first = _generate(tmp_path / "a", "1")
    second = _generate(tmp_path / "b", "4242")

    # Then they write the same files with the same bytes: 2-space indent, final newline
    assert first == second
    assert set(first) == {env.template_file_name for env in ENVIRONMENTS.values()}
    for text in first.values():
        assert text.endswith(b"}\n") and text.startswith(b'{\n  "AWSTemplateFormatVersion"')


def test_check_passes_on_the_committed_templates(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the committed templates, When checked, Then exit 0 and no diff printed
    assert main(["--check", "--out", str(TEMPLATES)]) == 0
    assert capsys.readouterr().out == ""


def test_check_fails_with_a_diff_on_a_hand_edited_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a copy of the templates in which someone edited the prod memory size by hand
    assert main(["--out", str(tmp_path)]) == 0
    prod = tmp_path / ENVIRONMENTS["prod"].template_file_name
    prod.write_text(prod.read_text().replace('"MemorySize": 1024', '"MemorySize": 2048'))
    capsys.readouterr()

    # When checked
    status = main(["--check", "--out", str(tmp_path)])

    # Then it fails and prints a unified diff of the edit, leaving the file as it was
    out = capsys.readouterr().out
    assert status == 1
    assert '-        "MemorySize": 2048,' in out and '+        "MemorySize": 1024,' in out
    assert '"MemorySize": 2048' in prod.read_text()


def test_check_fails_when_a_template_is_missing(tmp_path: Path) -> None:
    # Given an empty directory, When checked, Then the missing templates are a failure
    assert main(["--check", "--out", str(tmp_path)]) == 1


def test_env_writes_only_that_environment(tmp_path: Path) -> None:
    # Given --env dev, When run, Then only the dev template is written
    assert main(["--env", "dev", "--out", str(tmp_path)]) == 0
    assert [path.name for path in tmp_path.iterdir()] == ["food-delivery-dev.json"]


def test_unknown_environment_is_a_usage_error() -> None:
    # Given an environment that does not exist, Then it is refused in one line with exit 2
    result = cli.run(["-m", "generator", "--env", "staging"])
    cli.assert_clean_error(result, 2, "python -m generator: error:", "invalid choice: 'staging'")


# --- errors a user can cause: one line on stderr, no traceback -----------------------------


def test_out_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    # Given --out naming a file
    blocker = tmp_path / "templates"
    blocker.write_text("not a directory")
    # When the templates are written there, Then one line says what is in the way
    result = cli.run(["-m", "generator", "--out", str(blocker)])
    cli.assert_clean_error(result, 1, f"{blocker} is a file, not a directory")
    assert blocker.read_text() == "not a directory"


def test_read_only_out_is_a_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    # Given a directory this user may not write
    read_only = cli.read_only_directory(tmp_path)
    before = sorted(read_only.iterdir())
    # When the templates are written there
    result = cli.run(["-m", "generator", "--out", str(read_only)])
    # Then one line names the file and the reason, and no partial file is left
    cli.assert_clean_error(result, 1, f"cannot write {read_only}/food-delivery-dev.json: ")
    assert sorted(read_only.iterdir()) == before


def test_check_with_out_suggests_the_command_with_that_out(tmp_path: Path) -> None:
    # Given a directory with no templates, When checked with --env and --out
    result = cli.run(["-m", "generator", "--check", "--env", "dev", "--out", str(tmp_path)])
    # Then the fix it suggests regenerates exactly there
    assert result.returncode == 1
    assert f"run `python -m generator --env dev --out {tmp_path}`" in result.stderr


def test_help_lists_every_command() -> None:
    result = cli.run(["-m", "generator", "--help"])
    assert result.returncode == 0
    assert "python -m generator COMMAND" in result.stdout
    for command in ("package", "diff", "deploy"):
        assert f"    {command} " in result.stdout


def test_emit_options_before_a_command_are_a_usage_error() -> None:
    result = cli.run(["-m", "generator", "--check", "package"])
    cli.assert_clean_error(result, 2, "--check must not come before a command")


def test_console_script_calls_itself_by_its_name(tmp_path: Path) -> None:
    # Given the entry point setup.py installs beside this Python
    script = Path(sys.executable).with_name("food-delivery-generator")
    assert script.exists(), "pip install -e . installs the food-delivery-generator script"
    # When it is misused, Then its error names it, not `python -m generator`
    result = subprocess.run([str(script), "--env", "staging"], capture_output=True, text=True)
    cli.assert_clean_error(result, 2, "food-delivery-generator: error: argument --env")
