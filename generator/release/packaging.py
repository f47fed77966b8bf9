"""The Lambda artifact: handlers/ plus its pinned dependencies, as a reproducible zip.

Same sources, same bytes: entries sorted, timestamps and permissions fixed, no bytecode. The
file name carries a prefix of the zip's sha256, so unchanged code keeps its S3 key and
CloudFormation does not update the functions.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError
from generator.files import describe_os_error, ensure_directory
from generator.stack.function_specs import PYTHON_VERSION, WHEEL_PLATFORM
from generator.stack.sources import HANDLERS, REQUIREMENTS

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
HASH_PREFIX_LENGTH = 12
# Build artefacts and files that are not code.
EXCLUDED_PARTS = frozenset({"__pycache__", ".pytest_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_NAMES = frozenset({"requirements.txt"})


class PackagingError(RuntimeError):
    """The artifact could not be built (the message says why)."""


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str
    size: int

    @property
    def key(self) -> str:
        return self.path.name


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not EXCLUDED_PARTS.intersection(relative.parts)
            and not path.name.endswith(EXCLUDED_SUFFIXES)
        ):
            yield relative.as_posix(), path


def install_dependencies(target: Path, requirements: Path = REQUIREMENTS) -> None:
    """pip-install the pinned requirements for the Lambda platform into target."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",  # the file pins every package, dependencies included
        "--no-compile",  # .pyc files carry timestamps
        "--only-binary=:all:",
        "--platform",
        WHEEL_PLATFORM,
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--target",
        str(target),
        "--requirement",
        str(requirements),
    ]
    # Our own interpreter's pip, with arguments built here: no untrusted input.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackagingError(f"pip could not install {requirements}:\n{result.stderr.strip()}")


def _cached_dependencies(cache_dir: Path, requirements: Path) -> Path:
    """The installed dependencies, reused while the requirements and platform are unchanged."""
    fingerprint = hashlib.sha256(
        requirements.read_bytes() + f"{WHEEL_PLATFORM}/{PYTHON_VERSION}".encode()
    ).hexdigest()[:16]
    target = cache_dir / f"deps-{fingerprint}"
    if not target.is_dir():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix="deps-", dir=cache_dir))
        try:
            install_dependencies(partial, requirements)
            partial.rename(target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def write_zip(entries: dict[str, Path], destination: Path) -> None:
    with zipfile.ZipFile(destination, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permissions below are read
            info.external_attr = (0o100000 | FILE_MODE) << 16
            archive.writestr(info, entries[name].read_bytes(), compresslevel=9)


def build(out: Path) -> Artifact:
    """The reproducible Lambda zip, built in out (UserError, one line, when it cannot be)."""
    ensure_directory(out)
    try:
        return build_artifact(out)
    except PackagingError as error:
        raise UserError(str(error)) from error
    except OSError as error:
        raise UserError(f"cannot build in {out}: {describe_os_error(error)}") from error


def build_artifact(
    out_dir: Path,
    *,
    handlers: Path = HANDLERS,
    requirements: Path = REQUIREMENTS,
    cache_dir: Path | None = None,
) -> Artifact:
    """Build dist/handlers-<sha256 prefix>.zip; returns where it is and its digest."""
    dependencies = _cached_dependencies(cache_dir or out_dir / ".deps", requirements)
    entries = dict(_files(dependencies))
    code = {name: path for name, path in _files(handlers) if name not in EXCLUDED_NAMES}
    clashes = sorted(set(entries) & set(code))
    if clashes:
        raise PackagingError(f"handlers/ and its dependencies both provide {clashes[:5]}")
    entries.update(code)

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        unnamed = Path(scratch) / "handlers.zip"
        write_zip(entries, unnamed)
        data = unnamed.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        path = out_dir / f"handlers-{digest[:HASH_PREFIX_LENGTH]}.zip"
        unnamed.replace(path)
    return Artifact(path=path, sha256=digest, size=len(data))
