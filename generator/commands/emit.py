"""`python -m generator [--env ENV]... [--out DIR] [--check]`: write or check the templates."""

from __future__ import annotations

import argparse
import difflib
import json
import shlex
import sys
from pathlib import Path

from generator import openapi
from generator.environments import ENVIRONMENTS
from generator.files import write_atomically
from generator.stack import build_template, render

DEFAULT_OUT = Path("templates")
# The options of this command, by their destination on the parsed arguments.
OPTIONS = {"emit_env": "--env", "emit_out": "--out", "emit_check": "--check"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        dest="emit_env",
        metavar="ENV",
        choices=sorted(ENVIRONMENTS),
        action="append",
        help=f"environment: {', '.join(sorted(ENVIRONMENTS))} (repeatable; default: all)",
    )
    parser.add_argument(
        "--out",
        dest="emit_out",
        metavar="DIR",
        type=Path,
        help=f"directory of the templates (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--check",
        dest="emit_check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if a template on disk is not current",
    )


def given_options(args: argparse.Namespace) -> list[str]:
    """The emit options given on the command line (to refuse them beside a subcommand)."""
    return [flag for dest, flag in OPTIONS.items() if getattr(args, dest, None)]


def documents(out: Path, environments: list[str]) -> list[tuple[Path, str]]:
    """What `python -m generator` writes: each environment's template, and the API's OpenAPI
    document (the same API in every environment; built from prod's template)."""
    written = [
        (out / ENVIRONMENTS[name].template_file_name, render(ENVIRONMENTS[name]))
        for name in environments
    ]
    prod = json.loads(build_template(ENVIRONMENTS["prod"]).to_json())
    written.append((out / openapi.OPENAPI_FILE_NAME, openapi.render(prod)))
    return written


def run(args: argparse.Namespace) -> int:
    out: Path = args.emit_out or DEFAULT_OUT
    environments = args.emit_env or sorted(ENVIRONMENTS)
    stale = []
    for path, text in documents(out, environments):
        if args.emit_check:
            difference = _diff(path, text)
            if difference:
                sys.stdout.write(difference)
                stale.append(path)
        else:
            write_atomically(path, text)
            print(f"wrote {path}")
    if stale:
        print(
            f"{len(stale)} template(s) not current: run `{_regenerate_command(args)}`",
            file=sys.stderr,
        )
        return 1
    return 0


def _regenerate_command(args: argparse.Namespace) -> str:
    """The command that rewrites what --check found stale (same --env and --out)."""
    command = ["python", "-m", "generator"]
    for name in args.emit_env or ():
        command += ["--env", name]
    if args.emit_out is not None:
        command += ["--out", str(args.emit_out)]
    return shlex.join(command)


def _diff(path: Path, expected: str) -> str:
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    except (OSError, UnicodeDecodeError):
        current = None
    if current == expected:
        return ""
    if current is None:
        return f"{path}: unreadable\n"
    return (
        "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile=f"{path} (on disk)",
                tofile=f"{path} (generated)",
            )
        )
        or f"{path}: differs (line endings or encoding)\n"
    )
