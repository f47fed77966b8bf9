"""`python -m generator deploy`: from a checkout to a running stack, through a change set that
is shown before it runs, refused when it would destroy data, and followed while it runs.

Exit status: 0 deployed (or nothing to change, or left for review with --no-execute), 1 the
deploy failed or was declined, 2 a usage error, 3 refused by the guard rail.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from generator.commands import change_set_arguments as stacks
from generator.commands import executing

if TYPE_CHECKING:
    from generator.release.deploying import Clients

NAME = "deploy"
HELP = "build, upload and deploy a release through a change set you confirm"
DESCRIPTION = (
    "Build the Lambda zip and upload it to the artifact bucket (skipped when its key "
    "exists), create a change set for the stack that CloudFormation runs as the execution "
    "role (both from the bootstrap stack unless given), print it, and after confirmation "
    "execute it and follow the stack's events. A change set that removes or replaces a "
    "stateful resource (tables, queues, keys, log groups) is refused (exit 3) unless "
    "--allow-replacement. Exit status: 0 deployed or nothing to change, 1 failed or "
    "declined, 2 usage error, 3 refused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    stacks.add_arguments(parser)
    executing.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from generator.release import deploying

    executing.check_confirmable(args)
    request = stacks.read_request(args)
    clients = deploying.connect(args.region, args.endpoint_url)
    request, bootstrap = stacks.with_account_side(clients, request, args)
    if bootstrap is not None:
        print(f"Artifact bucket and execution role: from stack {bootstrap.stack_name}")
    stack = deploying.current_stack(clients, request.stack_name)
    prepared = deploying.prepare_release(clients, request, upload_artifact=True, say=print)
    preview = deploying.create_change_set(clients, request, stack, prepared, purpose="deploy")
    return executing.carry_out(clients, preview, request, args, _outputs_lines)


def _outputs_lines(clients: Clients, outputs: Mapping[str, str]) -> list[str]:
    from generator.release.deploying import aws_command

    return outputs_text(outputs, lambda *words: aws_command(clients, *words))


def outputs_text(outputs: Mapping[str, str], aws: Callable[..., str]) -> list[str]:
    """The stack's outputs, and for each partner the commands that read what the outputs do
    not hold: its client secret and its API key's value (aws builds an `aws ...` command)."""
    from generator.stack import names

    lines = executing.outputs_table(outputs)
    pool = outputs.get(names.OUTPUT_USER_POOL_ID)
    for key in sorted(outputs):
        if not key.startswith("Partner"):
            continue
        if key.endswith("ClientId") and pool:
            secret = ["--query", "UserPoolClient.ClientSecret", "--output", "text"]
            command = aws(
                "cognito-idp", "describe-user-pool-client", "--user-pool-id", pool,
                "--client-id", outputs[key], *secret,
            )  # fmt: skip
            lines.append(f"{key.removesuffix('ClientId')} client secret: {command}")
        if key.endswith("ApiKeyId"):
            value = ["--include-value", "--query", "value", "--output", "text"]
            command = aws("apigateway", "get-api-key", "--api-key", outputs[key], *value)
            lines.append(f"{key.removesuffix('ApiKeyId')} API key (x-api-key): {command}")
    return lines
