"""Finding the runtime's interpreter (tests, tox and CI run the handlers on it)."""

from __future__ import annotations

import stat
from pathlib import Path

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
