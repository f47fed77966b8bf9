"""`python -m generator [--env ENV]... [--out DIR] [--check]`: write or check the templates
(each environment's and the bootstrap stack's), their diagrams, the API's OpenAPI document
and, when writing to templates/ (from the project's root only), the documentation's
generated sections."""

from __future__ import annotations

import argparse
import difflib
import shlex
import sys
from pathlib import Path

from generator.errors import USAGE, UserError
from generator.files import write_atomically
from generator.stack.environments import ENVIRONMENTS

DEFAULT_OUT = Path("templates")
PROJECT = "food-delivery-infra"  # the name in setup.py
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
        help=(
            f"directory of the templates, their diagrams and the OpenAPI document (default: "
            f"{DEFAULT_OUT}, from the project's root only); only without --out are the "
            "documentation's generated sections (a diagram and the cost) rewritten"
        ),
    )
    parser.add_argument(
        "--check",
        dest="emit_check",
        action="store_true",
        help=(
            "write nothing; print a diff and exit 1 if a template, a diagram, the OpenAPI "
            "document or a generated section of the documentation is not current"
        ),
    )


def given_options(args: argparse.Namespace) -> list[str]:
    """The emit options given on the command line (to refuse them beside a subcommand)."""
    return [flag for dest, flag in OPTIONS.items() if getattr(args, dest, None)]


def run(args: argparse.Namespace) -> int:
    expected = _expected_files(args)
    if not args.emit_check:
        for path, text in expected.items():
            write_atomically(path, text)
            print(f"wrote {path}")
        return 0
    stale = []
    for path, text in expected.items():
        difference = _diff(path, text)
        if difference:
            sys.stdout.write(difference)
            stale.append(path)
    if stale:
        print(
            f"{len(stale)} file(s) not current: run `{_regenerate_command(args)}`",
            file=sys.stderr,
        )
        return 1
    return 0


def _expected_files(args: argparse.Namespace) -> dict[Path, str]:
    """Every file this run writes (or checks), with its content."""
    from generator.documents import doc_pages, openapi
    from generator.stack import names
    from generator.stack.bootstrap.build import render_bootstrap
    from generator.stack.build import render
    from generator.stack.environments import PROD

    if args.emit_out is None:
        _require_project_root()
    out: Path = args.emit_out or DEFAULT_OUT
    expected = {}
    for name in args.emit_env or sorted(ENVIRONMENTS):
        environment = ENVIRONMENTS[name]
        rendered = render(environment)
        expected[out / environment.template_file_name] = rendered.text
        drawing = doc_pages.diagram_text(environment, rendered.template)
        expected[out / environment.diagram_file_name] = drawing
        if args.emit_out is None and name == doc_pages.ENVIRONMENT:
            pages = doc_pages.sections(environment, rendered.template, drawing=drawing)
            for page, sections in pages.items():
                updated = _updated_page(page, sections)
                if updated is not None:
                    expected[page] = updated
    # The same API in every environment: one document, from prod's template (built once).
    expected[out / openapi.OPENAPI_FILE_NAME] = openapi.render(render(PROD).template)
    # One per account and region, for every environment's stack.
    expected[out / names.BOOTSTRAP_TEMPLATE_FILE_NAME] = render_bootstrap()
    return expected


def _require_project_root() -> None:
    """templates/ and docs/ are the project's: written only from its root (or with --out)."""
    if not is_project_root(Path.cwd()):
        raise UserError(
            f"{Path.cwd()} is not this project's root (no setup.py of {PROJECT}): run it "
            "from the root of a checkout, or say where to write with --out DIR",
            status=USAGE,
        )


def is_project_root(directory: Path) -> bool:
    try:
        setup = (directory / "setup.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return f'name="{PROJECT}"' in setup


def _updated_page(page: Path, sections: dict[str, str]) -> str | None:
    """The page with its generated sections current; None when the page is missing or has
    nothing to change."""
    from generator.documents import doc_pages

    try:
        current = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    updated = doc_pages.with_sections(current, sections)
    return None if updated == current else updated


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
