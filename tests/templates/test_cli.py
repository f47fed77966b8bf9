"""python -m generator: determinism across interpreter runs, --check, --env, --out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.environments import ENVIRONMENTS

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


def test_unknown_environment_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # Given an environment that does not exist, Then argparse rejects it with exit 2
    with pytest.raises(SystemExit) as exit_info:
        main(["--env", "staging"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'staging'" in capsys.readouterr().err
