"""The interpreter of the Lambda runtime the template names (python3.13): `package` compiles the
zip's bytecode with it, and the tests run the artifact and the handlers on it. As a script
(`python -m generator.release.lambda_python`), prints its path, or one line saying how to get
it and exit status 1.

Looked for as `pythonX.Y` on PATH, then in pyenv's versions (PYENV_ROOT, else ~/.pyenv),
then in /usr/bin and /usr/local/bin; each candidate must report that version and make a venv.

toxfile.py imports find_python in tox's own environment, where the project's dependencies are
not installed: at import this module needs the standard library only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

SYSTEM_DIRECTORIES = (Path("/usr/bin"), Path("/usr/local/bin"))


def _candidates(
    version: str, *, path: str | None, pyenv_root: Path, system_directories: Sequence[Path]
) -> Iterator[Path]:
    name = f"python{version}"
    on_path = shutil.which(name, path=path)
    if on_path:
        yield Path(on_path)
    yield from sorted(pyenv_root.glob(f"versions/{version}*/bin/{name}"), reverse=True)
    for directory in system_directories:
        yield directory / name


def lambda_version() -> str:
    """X.Y of the Lambda runtime the template names."""
    # Imported here: toxfile.py imports this module where the generator's dependencies are not.
    from generator.stack.function_specs import PYTHON_VERSION

    return PYTHON_VERSION


def install_hint(version: str | None = None) -> str:
    version = version or lambda_version()
    return f"pyenv install {version} (or your system's python{version} package)"


def missing_message(version: str | None = None) -> str:
    """The one line that says which interpreter is missing and how to get it."""
    version = version or lambda_version()
    return f"no python{version} (the Lambda runtime's) on this machine: {install_hint(version)}"


def find_lambda_python() -> Path | None:
    return find_python(lambda_version())


def find_python(
    version: str,
    *,
    path: str | None = None,
    pyenv_root: Path | None = None,
    system_directories: Sequence[Path] | None = None,
) -> Path | None:
    """A working interpreter of that version (X.Y), or None.

    path, pyenv_root, system_directories: default to PATH, PYENV_ROOT (else ~/.pyenv) and
    SYSTEM_DIRECTORIES (read when called, so a test can take them away).
    """
    if system_directories is None:
        system_directories = SYSTEM_DIRECTORIES
    if pyenv_root is None:
        pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    # `venv` too: the tests make venvs with it, and some distributions ship it apart.
    probe = "import sys, venv; print('%d.%d' % sys.version_info[:2])"
    for candidate in _candidates(
        version, path=path, pyenv_root=pyenv_root, system_directories=system_directories
    ):
        if not candidate.is_file():
            continue
        # A candidate found on this machine, run with a fixed probe: no untrusted input.
        result = subprocess.run(  # noqa: S603
            [str(candidate), "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode == 0 and result.stdout.strip() == version:
            return candidate
    return None


def main() -> int:
    found = find_lambda_python()
    if found is None:
        print(missing_message(), file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
