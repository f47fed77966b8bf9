"""The interpreter of the Lambda runtime the template names (python3.13): the tests run the
artifact and the handlers on it. As a script, prints its path (exit 1 if there is none).

Looked for as `pythonX.Y` on PATH, then in pyenv's versions (PYENV_ROOT, else ~/.pyenv),
then in /usr/bin and /usr/local/bin; each candidate must report that version and make a venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


def _candidates(version: str) -> Iterator[Path]:
    name = f"python{version}"
    on_path = shutil.which(name)
    if on_path:
        yield Path(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    yield from sorted(pyenv_root.glob(f"versions/{version}*/bin/{name}"), reverse=True)
    for directory in ("/usr/bin", "/usr/local/bin"):
        yield Path(directory) / name


def lambda_version() -> str:
    """X.Y of the Lambda runtime the template names."""
    from generator.stack.function_specs import PYTHON_VERSION

    return PYTHON_VERSION


def install_hint() -> str:
    version = lambda_version()
    return f"pyenv install {version} (or your system's python{version} package)"


def find_lambda_python() -> Path | None:
    return find_python(lambda_version())


def find_python(version: str) -> Path | None:
    """A working interpreter of that version (X.Y), or None. Also used by toxfile.py, which
    runs in tox's own environment: nothing here may import the project."""
    probe = "import sys, venv; print('%d.%d' % sys.version_info[:2])"
    for candidate in _candidates(version):
        if not candidate.is_file():
            continue
        result = subprocess.run(
            [str(candidate), "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode == 0 and result.stdout.strip() == version:
            return candidate
    return None


if __name__ == "__main__":
    found = find_lambda_python()
    if found is None:
        print(
            f"no python{lambda_version()} on this machine (the Lambda runtime's): {install_hint()}",
            file=sys.stderr,
        )
        sys.exit(1)
    print(found)
