"""Finding the runtime's interpreter, which `package` compiles the zip's bytecode with, and the
one line a user gets when there is none."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.release import lambda_python
from generator.release.lambda_python import find_python


def fake_python(directory: Path, name: str, reports: str) -> Path:
    """An executable named like an interpreter that answers the finder's probe with reports."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\necho {reports}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_first_candidate_reporting_the_version_is_found(tmp_path: Path) -> None:
    # Given python3.13 on PATH that is in fact a 3.12, and a real 3.13 in pyenv's versions
    on_path = tmp_path / "bin"
    fake_python(on_path, "python3.13", "3.12")
    pyenv = tmp_path / "pyenv"
    real = fake_python(pyenv / "versions" / "3.13.1" / "bin", "python3.13", "3.13")

    # When the finder looks for 3.13 there (and in no system directory)
    found = find_python("3.13", path=str(on_path), pyenv_root=pyenv, system_directories=())

    # Then it takes the one that says it is 3.13
    assert found == real


def test_the_newest_pyenv_version_comes_first(tmp_path: Path) -> None:
    pyenv = tmp_path / "pyenv"
    fake_python(pyenv / "versions" / "3.13.0" / "bin", "python3.13", "3.13")
    newest = fake_python(pyenv / "versions" / "3.13.9" / "bin", "python3.13", "3.13")

    found = find_python("3.13", path="", pyenv_root=pyenv, system_directories=())

    assert found == newest


def test_nothing_that_reports_the_version_is_none(tmp_path: Path) -> None:
    # Given only interpreters of other versions under the searched names
    fake_python(tmp_path / "bin", "python3.13", "3.11")
    fake_python(tmp_path / "system", "python3.13", "")

    found = find_python(
        "3.13",
        path=str(tmp_path / "bin"),
        pyenv_root=tmp_path / "no-pyenv",
        system_directories=(tmp_path / "system",),
    )

    assert found is None


def test_package_without_the_runtime_python_fails_in_one_line_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a machine with no python3.13 anywhere the finder looks
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setattr(lambda_python, "SYSTEM_DIRECTORIES", ())
    out = tmp_path / "dist"

    # When the zip is packaged
    status = main(["package", "--out", str(out)])

    # Then one line names the interpreter and how to get it, and the exit status says so
    assert status == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(
        " package: error: no python3.13 (the Lambda runtime's) on this machine:"
        " pyenv install 3.13 (or your system's python3.13 package)"
    )
    # And nothing was installed nor built: the interpreter is checked first
    assert list(out.iterdir()) == []
