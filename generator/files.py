"""The commands' files: templates read and output written whole or not at all, with errors a
user can act on."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from generator.errors import UserError

# Where `python -m generator` writes the templates, and where the commands read them from.
COMMITTED_TEMPLATES = Path("templates")


def read_template(path: Path, *, if_missing: str = "") -> dict[str, Any]:
    """A JSON template file (if_missing: what to tell a user whose file does not exist)."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path} does not exist{if_missing}") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {describe_os_error(error)}") from error
    except ValueError as error:
        raise UserError(f"{path} is not a JSON template: {error}") from error
    if not isinstance(loaded, dict):
        raise UserError(f"{path} is not a JSON template: not a JSON object")
    return loaded


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write beside the target, then rename: an interrupted run never leaves half a file.

    UserError (one line) when the directory cannot be made or written.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            partial.write_text(data, encoding="utf-8", newline="\n")
        else:
            partial.write_bytes(data)
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        blocking = _file_in_the_way(path.parent)
        reason = f"{blocking} is a file, not a directory" if blocking else _reason(error)
        raise UserError(f"cannot write {path}: {reason}") from error


def ensure_directory(directory: Path) -> None:
    """Make directory (and its parents) unless it exists; UserError if that is impossible."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocking = _file_in_the_way(directory)
        reason = f"{blocking} is a file, not a directory" if blocking else _reason(error)
        raise UserError(f"cannot make directory {directory}: {reason}") from error


def describe_os_error(error: OSError) -> str:
    """`Permission denied: 'dist'`: the reason and the path, without Python's class name."""
    reason = error.strerror or type(error).__name__
    return f"{reason}: {str(error.filename)!r}" if error.filename else reason


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _file_in_the_way(directory: Path) -> Path | None:
    """The first of directory and its parents that exists and is not a directory."""
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None
