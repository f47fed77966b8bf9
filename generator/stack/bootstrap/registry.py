"""What CloudFormation needs to manage a resource type, and what IAM knows of each action:
read from the data cfn-lint ships (never written by hand here).

- CloudFormation's registry schemas (`cfnlint/data/schemas`): each type's
  `handlers.create/read/update/delete.permissions`, the calls CloudFormation makes as the
  stack's role. (`list` is left out: stack operations never call it.)
- IAM's service reference (`cfnlint/data/AdditionalSpecs/Policies.json`): for each action,
  the resource types it can be scoped to and their ARN formats.

The files are read straight from the installed cfn-lint, not through its schema manager, which
prefers a newer copy in the user's cache: the same cfn-lint version gives the same template.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The region whose provider schemas are read: every type these stacks use is in it, and
# cfn-lint falls back to it for a region it has no file of.
SCHEMA_REGION = "us-east-1"
STACK_OPERATIONS = ("create", "read", "update", "delete")


class RegistryError(LookupError):
    """cfn-lint's data lacks something the bootstrap template needs (says what)."""


@dataclass(frozen=True)
class ActionResources:
    """The ARN formats an action can be scoped to (none: it takes `*` only)."""

    arn_formats: tuple[tuple[str, str], ...]  # (IAM resource type, ARN format), sorted


def _data() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RegistryError("cfn-lint is not installed: pip install -e .")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def _providers() -> Mapping[str, str]:
    path = _data() / "schemas" / "providers" / f"{SCHEMA_REGION}.json"
    providers: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return providers


@functools.cache
def _policies_text() -> str:
    return (_data() / "AdditionalSpecs" / "Policies.json").read_text(encoding="utf-8")


@functools.cache
def _all_policies() -> Mapping[str, Any]:
    policies: dict[str, Any] = json.loads(_policies_text())
    return policies


@functools.cache
def _service_offsets() -> Mapping[str, int]:
    """Where each top-level key's value starts, in cfn-lint's one-space indented layout
    ({} in any other layout)."""
    text, offsets = _policies_text(), {}
    line = text.find('\n "')
    while line != -1:
        name_end = text.find('": ', line + 3)
        if name_end == -1:
            break
        offsets[text[line + 3 : name_end]] = name_end + 3
        line = text.find('\n "', name_end)
    return offsets


@functools.cache
def _service(service: str) -> Mapping[str, Any]:
    """IAM's reference of one service ({} for a service it does not know).

    The file is 2 MB, of which these stacks need 26 of 457 services: parsing only those, from
    where cfn-lint's one-space indentation puts each top-level key, takes milliseconds instead
    of thirty. Where the layout is not that (another cfn-lint, another formatting), or a
    service is not found in it, the whole file is parsed: the answer is the same, only slower."""
    offset = _service_offsets().get(service)
    if offset is not None:
        try:
            entry, _ = json.JSONDecoder().raw_decode(_policies_text(), offset)
        except json.JSONDecodeError:
            entry = None
        if isinstance(entry, dict) and "Actions" in entry:
            return entry
    found: Mapping[str, Any] = _all_policies().get(service, {})
    return found


def handler_permissions(resource_type: str) -> frozenset[str]:
    """The actions CloudFormation's handlers of the type call to create, read, update and
    delete one (empty for a type without handlers, such as WaitConditionHandle)."""
    schema_hash = _providers().get(resource_type)
    if schema_hash is None:
        raise RegistryError(f"cfn-lint has no registry schema for {resource_type}")
    path = _data() / "schemas" / "resources" / f"{schema_hash}.json"
    handlers = json.loads(path.read_text(encoding="utf-8")).get("handlers", {})
    return frozenset(
        permission
        for operation in STACK_OPERATIONS
        for permission in handlers.get(operation, {}).get("permissions", ())
    )


def known_to_iam(action: str) -> bool:
    service, _, name = action.partition(":")
    return name.lower() in _service(service).get("Actions", {})


def action_resources(action: str) -> ActionResources:
    """The ARN formats the action can be scoped to, as IAM's service reference gives them
    (`arn:${Partition}:dynamodb:${Region}:${Account}:table/.*`)."""
    service, _, name = action.partition(":")
    entry = _service(service)
    types = entry["Actions"][name.lower()].get("Resources", ())
    return ActionResources(
        arn_formats=tuple(
            sorted(
                (resource_type.lower(), arn)
                for resource_type in types
                for arn in entry["Resources"][resource_type.lower()]["ARNFormats"]
            )
        )
    )


def schema_date() -> str:
    """When cfn-lint's copy of the registry schemas was taken."""
    version = json.loads((_data() / "schemas" / "version.json").read_text(encoding="utf-8"))
    return str(version.get("schema_date", "unknown"))
