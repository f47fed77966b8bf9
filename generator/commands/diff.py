"""`python -m generator diff`: what a deploy of these inputs would change, from a change set
that is deleted afterwards. Exit status like `git diff --exit-code`: 0 when the stack is
current, 1 when it would change, 2 when the preview could not be made."""

from __future__ import annotations

import argparse

from generator.commands import change_set_arguments as stacks
from generator.errors import UserError

CURRENT = 0
WOULD_CHANGE = 1
ERROR = 2


NAME = "diff"
HELP = "preview what a deploy would change (exit 0: current, 1: changes, 2: error)"
DESCRIPTION = (
    "Build the Lambda zip, create a change set for the stack with the same inputs as "
    "`deploy` (the artifact bucket and execution role from the bootstrap stack unless "
    "given), print it (parameters, resources, replacements, stateful resources at risk) and "
    "delete it. Nothing is uploaded unless the template is over CloudFormation's inline "
    "limit. Exit status: 0 when the stack is current, 1 when it would change, 2 on errors. "
    "A stack that does not exist shows every resource as Add."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    stacks.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        return _diff(args)
    except UserError as error:
        raise UserError(error.message, status=ERROR) from error


def _diff(args: argparse.Namespace) -> int:
    from generator.release import deploying

    request = stacks.read_request(args)
    clients = deploying.connect(args.region, args.endpoint_url)
    request, _ = stacks.with_account_side(clients, request, args)
    stack = deploying.current_stack(clients, request.stack_name)
    prepared = deploying.prepare_release(clients, request, upload_artifact=False, say=_quiet)
    preview = deploying.create_change_set(clients, request, stack, prepared, purpose="diff")
    try:
        if not preview.has_changes:
            print(f"Stack {request.stack_name}: no changes")
            return CURRENT
        stacks.show_preview(preview, request, print)
        return WOULD_CHANGE
    finally:
        left = deploying.delete_change_set(clients, preview)
        if left:
            print(left)


def _quiet(_: str) -> None:
    """The preview is the output: what the build did stays out of it (a PR can quote it)."""
