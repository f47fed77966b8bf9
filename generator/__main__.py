"""python -m generator: write (or --check) templates/food-delivery-<env>.json."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Sequence

from generator import __version__
from generator.environments import ENVIRONMENTS
from generator.stack import render

DEFAULT_OUT = Path("templates")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate the CloudFormation templates of the food-delivery order API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        action="append",
        help="environment to generate (repeatable; default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"directory of the templates (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if a template on disk is not current",
    )
    return parser


def _write(path: Path, text: str) -> None:
    # Write beside the target, then rename: an interrupted run never leaves half a template.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    partial.replace(path)


def _diff(path: Path, expected: str) -> str:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current == expected:
        return ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (generated)",
        )
    ) or f"{path}: differs (line endings or encoding)\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stale = []
    for name in args.env or sorted(ENVIRONMENTS):
        environment = ENVIRONMENTS[name]
        path = args.out / environment.template_file_name
        text = render(environment)
        if args.check:
            difference = _diff(path, text)
            if difference:
                sys.stdout.write(difference)
                stale.append(path)
        else:
            _write(path, text)
            print(f"wrote {path}")
    if stale:
        print(
            f"{len(stale)} template(s) not current: run `python -m generator`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
