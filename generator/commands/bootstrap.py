"""`python -m generator bootstrap`: the bootstrap stack (once per account and region) through
the same change set, preview, guard rail and progress as `deploy`.

Exit status: 0 deployed (or nothing to change, or left for review with --no-execute), 1 the
deploy failed or was declined, 2 a usage error, 3 refused by the guard rail.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands import change_set_arguments as stacks
from generator.commands import executing
from generator.commands.arguments import add_connection_arguments
from generator.stack import names

if TYPE_CHECKING:
    from generator.release.deploying import Clients

NAME = "bootstrap"
HELP = "deploy the artifact bucket and the deploy roles, once per account and region"
DESCRIPTION = (
    "Create or update the bootstrap stack from templates/food-delivery-bootstrap.json "
    "through a change set you confirm: the artifact bucket deploy and diff upload to, "
    "CloudFormation's execution role for the app stacks (its permissions derived from "
    "their templates), and, with --parameter GitHubRepository=OWNER/NAME, the roles GitHub "
    "Actions deploys and previews with. A change set that removes or replaces the bucket is "
    "refused (exit 3) unless --allow-replacement. Exit status: 0 deployed or nothing to "
    "change, 1 failed or declined, 2 usage error, 3 refused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack-name",
        metavar="NAME",
        default=names.BOOTSTRAP_STACK_NAME,
        help=f"the bootstrap stack (default: {names.BOOTSTRAP_STACK_NAME}; deploy and diff "
        "read it under that name unless given --bootstrap-stack-name)",
    )
    stacks.add_parameter_argument(parser)
    parser.add_argument(
        "--template-file",
        metavar="FILE",
        type=Path,
        help=f"the template to deploy (default: templates/{names.BOOTSTRAP_TEMPLATE_FILE_NAME})",
    )
    executing.add_arguments(parser)
    add_connection_arguments(
        parser,
        endpoint_help="S3 and CloudFormation endpoint, e.g. a local stack; default: "
        "AWS_ENDPOINT_URL or AWS's own",
    )


def run(args: argparse.Namespace) -> int:
    from generator.files import COMMITTED_TEMPLATES
    from generator.release import deploying

    executing.check_confirmable(args)
    request = stacks.read_template_request(
        args,
        label=names.BOOTSTRAP,
        path=args.template_file or COMMITTED_TEMPLATES / names.BOOTSTRAP_TEMPLATE_FILE_NAME,
        stack_name=args.stack_name,
        names_the_data=True,
    )
    clients = deploying.connect(args.region, args.endpoint_url)
    stack = deploying.current_stack(clients, request.stack_name)
    prepared = deploying.prepare_release(clients, request, upload_artifact=False, say=print)
    preview = deploying.create_change_set(clients, request, stack, prepared, purpose="bootstrap")
    return executing.carry_out(clients, preview, request, args, _next_steps(args.stack_name))


def _next_steps(stack_name: str) -> Callable[[Clients, Mapping[str, str]], list[str]]:
    """The outputs, and the deploy that reads them."""

    def lines(clients: Clients, outputs: Mapping[str, str]) -> list[str]:
        command = ["deploy", "--env", "dev", "--region", clients.region]
        if stack_name != names.BOOTSTRAP_STACK_NAME:
            command += ["--bootstrap-stack-name", stack_name]
        if clients.endpoint_url:
            command += ["--endpoint-url", clients.endpoint_url]
        deploy = f"python -m generator {shlex.join(command)}"
        return [*executing.outputs_table(outputs), f"Deploy an app stack with: {deploy}"]

    return lines
