"""Guard rails of a deploy: a change set that removes or replaces a resource holding data.

Which resources hold data is decided by their type (tables, queues, keys, log groups, buckets,
and the partners' user pool and app clients, whose ids and secrets the partners hold), as
CloudFormation reports it in the change set: a resource added to the template later is
protected with no change here, and a removed one (absent from the new template) too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from generator.release.change_sets import ResourceChange
from generator.stack import names

# What is lost with a resource of each type, when the template names nothing more precise.
STATEFUL_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "AWS::DynamoDB::Table": "every item in the table",
        "AWS::SQS::Queue": "every message waiting in the queue",
        "AWS::KMS::Key": "the key, and with it whatever it encrypted",
        "AWS::Logs::LogGroup": "every log event kept in it",
        "AWS::S3::Bucket": "every object in the bucket",
        # Credentials rather than data, but a replacement takes every partner offline until
        # each is handed new ones.
        "AWS::Cognito::UserPool": "every app client in the pool, with its id and secret",
        "AWS::Cognito::UserPoolClient": "the app client's id and secret",
    }
)

# The same, in the words of this stack's data, for the refusal in prod. A stateful resource
# missing here is still protected (by its type); it is only described less precisely.
DATA_OF: Mapping[str, str] = MappingProxyType(
    {
        names.ORDERS_TABLE: "every order",
        names.IDEMPOTENCY_TABLE: "the recorded answers that make a retried POST safe",
        names.DEAD_LETTER_QUEUE: "every order waiting there to be redriven into the table",
        names.DATA_KEY: "the key of the tables, queue and topic: what it encrypted is unreadable",
        names.API_ACCESS_LOG_GROUP: "the API's access log (who called it, with which key)",
        names.USER_POOL: "every partner's app client: each needs a new client id and secret",
        # The bootstrap stack's.
        names.ARTIFACT_BUCKET_RESOURCE: (
            "every release the stacks were deployed from (a rollback to one needs it)"
        ),
    }
)

ALLOW_FLAG = "--allow-replacement"


@dataclass(frozen=True)
class AtRisk:
    """A stateful resource the change set removes or (maybe) replaces."""

    change: ResourceChange
    # "removes", "replaces" or "may replace"
    verb: str

    @property
    def data(self) -> str:
        return DATA_OF.get(self.change.logical_id) or STATEFUL_TYPES[self.change.resource_type]

    def describe(self, *, name_the_data: bool) -> str:
        """`replaces OrdersTable (AWS::DynamoDB::Table): every order` (data named on request)."""
        resource = f"{self.change.logical_id} ({self.change.resource_type})"
        text = f"{self.verb} {resource}"
        if name_the_data:
            text += f": {self.data}"
        if self.change.replacement is None and self.change.action == "Modify":
            text += " (CloudFormation did not say whether it replaces it)"
        return text


def at_risk(changes: Iterable[ResourceChange]) -> tuple[AtRisk, ...]:
    """The changes that remove or may replace a stateful resource, in the order given."""
    risky = []
    for change in changes:
        verb = _verb(change)
        if verb and change.resource_type in STATEFUL_TYPES:
            risky.append(AtRisk(change=change, verb=verb))
    return tuple(risky)


def _verb(change: ResourceChange) -> str | None:
    if change.action == "Remove":
        return "removes"
    if change.action == "Dynamic":  # CloudFormation cannot tell yet what it will do
        return "may replace"
    if change.action != "Modify":
        return None
    # AWS always says True, False or Conditional; a Modify that does not say (as local
    # emulators answer) may be a replacement, and a guard rail assumes the worse.
    return {"True": "replaces", "False": None}.get(str(change.replacement), "may replace")


def refusal(risky: Iterable[AtRisk], *, name_the_data: bool) -> str:
    """The one line a refused deploy ends with."""
    what = "; ".join(item.describe(name_the_data=name_the_data) for item in risky)
    return (
        f"refused: this change set {what}. The change set is deleted and the stack "
        f"is unchanged; pass {ALLOW_FLAG} to deploy it anyway"
    )


def warning(risky: Iterable[AtRisk], *, name_the_data: bool) -> list[str]:
    """The lines a preview prints about the stateful resources at risk."""
    return [
        f"Stateful resources at risk (deploy refuses this change set without {ALLOW_FLAG}):",
        *(f"  {item.describe(name_the_data=name_the_data)}" for item in risky),
    ]
