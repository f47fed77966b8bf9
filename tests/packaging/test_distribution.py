"""The distributions: the sdist carries what setup.py and the generator read, and a wheel
built from that sdist (as tox and pip build it) emits the templates and finds the Lambda code
without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from generator.stack.environments import ENVIRONMENTS
from generator.stack.sources import CHECKOUT_HANDLERS
from tests.support import cli

ROOT = Path(__file__).resolve().parents[2]
HANDLER_FILES = sorted(
    path.relative_to(CHECKOUT_HANDLERS).as_posix()
    for path in CHECKOUT_HANDLERS.rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
)


def _build(backend_call: str, source: Path, out: Path) -> Path:
    """Run a setuptools PEP 517 hook in source (no build isolation: no download)."""
    out.mkdir(parents=True, exist_ok=True)
    code = f"from setuptools import build_meta; print(build_meta.{backend_call}({str(out)!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The project's files as a fresh clone has them (tracked and new, not ignored ones)
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    clone = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            (clone / name).write_bytes((ROOT / name).read_bytes())
    return _build("build_sdist", clone, tmp_path_factory.mktemp("sdist"))


@pytest.fixture(scope="module")
def wheel(sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    [source] = unpacked.iterdir()
    return _build("build_wheel", source, tmp_path_factory.mktemp("wheel"))


def test_the_sdist_carries_the_lambda_code_and_what_setup_reads(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for required in ("setup.py", "README.md", "pyproject.toml", "generator/__main__.py"):
        assert required in names
    missing = [name for name in HANDLER_FILES if f"handlers/{name}" not in names]
    assert not missing, f"the sdist lacks handlers/{missing}"


def test_the_wheel_ships_the_lambda_code_inside_the_generator(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in HANDLER_FILES if f"generator/lambda_code/{name}" not in names]
    assert not missing, f"the wheel lacks {missing}"
    assert not [name for name in names if name.startswith("handlers/")], (
        "no top-level handlers package"
    )


def test_an_installed_wheel_emits_the_committed_templates_without_a_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    # Given the wheel's contents on the path, and a working directory that is not a checkout
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # noqa: S202 - the wheel just built from our own sources
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    # When the generator runs from there
    result = cli.run(["-m", "generator", "--out", "out"], env=env, cwd=work)
    where = cli.run(
        ["-c", "from generator.stack.sources import HANDLERS; print(HANDLERS)"], env=env, cwd=work
    )

    # Then it finds the schemas in the wheel and writes the same templates as the checkout
    assert result.returncode == 0, result.stderr
    assert where.stdout.strip() == str(site / "generator" / "lambda_code")
    for environment in ENVIRONMENTS.values():
        name = environment.template_file_name
        assert (work / "out" / name).read_bytes() == (ROOT / "templates" / name).read_bytes()
