"""The command line: `python -m generator [COMMAND]`. It only parses and dispatches; each
command lives in generator/commands/."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator import __version__
from generator.commands import bootstrap, cost, deploy, diff, emit, package, serve
from generator.errors import USAGE, UserError

# Each declares NAME, HELP, DESCRIPTION, add_arguments(parser) and run(args); the modules
# import what their run needs when it runs.
SUBCOMMANDS = (bootstrap, package, diff, deploy, serve, cost)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like every other error of these commands (argparse adds the usage).
        self.exit(USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _prog() -> str:
    """How the user called us: `python -m generator`, or the console script's name."""
    invoked = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m generator" if invoked in ("", "__main__.py", "-c") else invoked


def build_parser(prog: str = "python -m generator") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        usage="%(prog)s [--env ENV]... [--out DIR] [--check]\n       %(prog)s COMMAND [--help]",
        description=(
            "Generate the CloudFormation templates of the food-delivery order API and their "
            "architecture diagrams (the default command), or run one of the commands below."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    emit.add_arguments(parser)
    parser.set_defaults(run=emit.run)
    subcommands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=_Parser, prog=prog
    )
    for command in SUBCOMMANDS:
        subparser = subcommands.add_parser(
            command.NAME, help=command.HELP, description=command.DESCRIPTION
        )
        command.add_arguments(subparser)
        subparser.set_defaults(run=command.run, prog=subparser.prog)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_prog())
    args = parser.parse_args(argv)
    misplaced = emit.given_options(args) if args.run is not emit.run else []
    if misplaced:
        parser.error(f"{', '.join(misplaced)} must not come before a command")
    # Errors carry the command's name, as argparse's own do: `python -m generator deploy: ...`
    prog = getattr(args, "prog", parser.prog)
    try:
        status: int = args.run(args)
    except UserError as error:
        print(f"{prog}: error: {error.message}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
