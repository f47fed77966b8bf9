"""The preview the deploying page shows, rendered by the command's own code from an answer shaped as
AWS documents it (tests/release/aws_answers/): what `diff` prints for that change set."""

from __future__ import annotations

import json

from generator.__main__ import build_parser
from generator.commands.change_set_arguments import read_request, show_preview
from generator.files import COMMITTED_TEMPLATES as TEMPLATES
from generator.release import deploying
from generator.release.change_sets import parameter_changes, resource_changes
from generator.stack.environments import ENVIRONMENTS
from tests.release.answers import answer

STACK = "food-delivery-prod"
DEPLOYED_PARAMETERS = {
    "AlertEmail": "",
    "ArtifactBucket": "releases",
    "ArtifactKey": "food/handlers-aaaaaaaaaaaa.zip",
    "AuthDomainPrefix": "",
    "ManageApiGatewayAccount": "true",
    "ReservedConcurrency": "100",
}
RELEASE = {"ArtifactBucket": "releases", "ArtifactKey": "food/handlers-bbbbbbbbbbbb.zip"}


def sample_preview() -> str:
    """A prod release whose template also re-keys the orders table, among other changes."""
    environment = ENVIRONMENTS["prod"]
    template = json.loads((TEMPLATES / environment.template_file_name).read_text())
    described = answer("describe_change_set_update.json")
    preview = deploying.Preview(
        stack_name=STACK,
        stack_id=described["StackId"],
        change_set_id=described["ChangeSetId"],
        change_set_name=described["ChangeSetName"],
        change_set_type="UPDATE",
        holds_only_this=False,
        changes=resource_changes([described]),
        parameters=parameter_changes(template, RELEASE, DEPLOYED_PARAMETERS),
    )
    request = read_request(
        build_parser().parse_args(
            ["diff", "--env", "prod", "--stack-name", STACK, "--artifact-bucket", "releases",
             "--artifact-prefix", "food"]
        )
    )  # fmt: skip
    lines: list[str] = []
    show_preview(preview, request, lines.append)
    return "\n".join(lines) + "\n"
