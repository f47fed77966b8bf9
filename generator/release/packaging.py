"""The Lambda artifact: handlers/ plus its pinned dependencies, as a reproducible zip.

Same sources, same bytes: entries sorted, timestamps and permissions fixed. The file name
carries a prefix of the zip's sha256, so unchanged code keeps its S3 key and CloudFormation
does not update the functions.

Every module comes with its bytecode, compiled by the interpreter of the runtime the template
names (python3.13): Lambda's /var/task is read-only, so a zip without .pyc files has every
module compiled from source again on each cold start, and that costs more than the import
itself. The .pyc files are unchecked-hash ones (PEP 552): no timestamp in them, and Python
loads them without looking at the source, which in a zip never changes under them.
"""

from __future__ import annotations

import hashlib
import os
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
from generator.release.lambda_python import find_lambda_python, missing_message
from generator.stack.function_specs import PYTHON_VERSION, WHEEL_PLATFORM
from generator.stack.sources import HANDLERS, REQUIREMENTS

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
HASH_PREFIX_LENGTH = 12
# Build artefacts and files that are not code (the zip's bytecode is compiled here, never
# taken from a source tree: a developer's __pycache__ is for another Python, with timestamps).
EXCLUDED_PARTS = frozenset({"__pycache__", ".pytest_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_NAMES = frozenset({"requirements.txt"})
# Where Lambda unpacks the zip: the path a module's bytecode names as its source (tracebacks
# show it, and Python replaces it by the real path when it loads the .pyc next to a source).
TASK_ROOT = "/var/task"
# The runtime's bytecode files: __pycache__/<module>.cpython-313.pyc.
CACHE_TAG = "cpython-" + PYTHON_VERSION.replace(".", "")


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


def bytecode_name(source: str) -> str:
    """Where the runtime's Python looks for a module's bytecode: `a/b.py` -> `a/__pycache__/
    b.cpython-313.pyc` (optimization level 0: Lambda runs python without -O)."""
    directory, _, file_name = source.rpartition("/")
    compiled = f"__pycache__/{file_name.removesuffix('.py')}.{CACHE_TAG}.pyc"
    return f"{directory}/{compiled}" if directory else compiled


def lambda_python() -> Path:
    """The runtime's interpreter; PackagingError (one line: which, and how to get it) if none."""
    found = find_lambda_python()
    if found is None:
        raise PackagingError(missing_message())
    return found


def compile_bytecode(python: Path, sources: dict[str, Path], scratch: Path) -> dict[str, Path]:
    """The bytecode of every .py entry, as zip entries: `{bytecode_name(name): compiled file}`.

    The sources are copied under scratch at their names in the zip and compiled there by one
    `compileall` in one process, in its sorted order: the same sources give the same bytes.
    `-d /var/task` records each module's source as /var/task/<name>, not the scratch folder.
    """
    modules = {name: path for name, path in sources.items() if name.endswith(".py")}
    for name, path in modules.items():
        copy = scratch / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    command = [
        str(python),
        "-s",  # not the builder's user site-packages: nothing here may depend on them
        "-m",
        "compileall",
        "-q",  # names only the files that fail
        "--invalidation-mode",
        "unchecked-hash",
        "-d",
        TASK_ROOT,
        str(scratch),
    ]
    # None of the user's PYTHON* variables: PYTHONOPTIMIZE would write .opt-1.pyc files that
    # Lambda never reads, PYTHONPYCACHEPREFIX would put them outside __pycache__. The hash
    # seed is fixed: marshal should write sets in the same order whatever the seed, and a
    # fixed one leaves nothing to chance.
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("PYTHON")},
        "PYTHONHASHSEED": "0",
    }
    # The runtime's interpreter, found on this machine, with arguments built here.
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, env=environment
    )
    if result.returncode != 0:
        # compileall names each file that fails by its scratch copy: name it as in the zip.
        output = (result.stdout + result.stderr).replace(f"{scratch}{os.sep}", "")
        failures = [line.strip() for line in output.splitlines() if line.strip()]
        # The first file that failed, where, and the last line (the error itself).
        raise PackagingError(
            f"{python} could not compile the zip's modules: "
            + " | ".join(failures[:2] + failures[-1:])
        )
    compiled = {bytecode_name(name): scratch / bytecode_name(name) for name in modules}
    missing = sorted(name for name, path in compiled.items() if not path.is_file())
    if missing:
        raise PackagingError(f"{python} wrote no {CACHE_TAG} bytecode for {missing[:3]}")
    return compiled


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
        "--no-compile",  # compile_bytecode compiles them, with the runtime's Python, no timestamps
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
    python: Path | None = None,
) -> Artifact:
    """Build dist/handlers-<sha256 prefix>.zip; returns where it is and its digest.

    python: the runtime's interpreter, to compile the bytecode with (default: found as
    lambda_python finds it; checked first, before anything is installed).
    """
    python = python or lambda_python()
    dependencies = _cached_dependencies(cache_dir or out_dir / ".deps", requirements)
    entries = dict(_files(dependencies))
    code = {name: path for name, path in _files(handlers) if name not in EXCLUDED_NAMES}
    clashes = sorted(set(entries) & set(code))
    if clashes:
        raise PackagingError(f"handlers/ and its dependencies both provide {clashes[:5]}")
    entries.update(code)

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        entries.update(compile_bytecode(python, entries, Path(scratch) / "task"))
        unnamed = Path(scratch) / "handlers.zip"
        write_zip(entries, unnamed)
        data = unnamed.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        path = out_dir / f"handlers-{digest[:HASH_PREFIX_LENGTH]}.zip"
        unnamed.replace(path)
    return Artifact(path=path, sha256=digest, size=len(data))
