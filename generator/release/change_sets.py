"""A change set as a reader sees it: the resources it changes (from DescribeChangeSet), the
parameters it changes (from the stack and the template), and the tables that show both.

Everything here is plain data in, text out: no AWS calls, deterministic output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.template_view.references import referenced_names

# The order a preview lists actions in; unknown actions come last.
ACTION_ORDER = ("Add", "Modify", "Remove", "Import", "Dynamic")
# CloudFormation's answers for a change set that changes nothing: a FAILED change set with the
# first reason, or (from some endpoints) an error with the second. The aws CLI's deployer
# (awscli/customizations/cloudformation/deployer.py) recognises the same two.
NO_CHANGES_REASONS = (
    "The submitted information didn't contain changes",
    "No updates are to be performed",
)
NOT_SHOWN = "****"  # a NoEcho parameter's value


@dataclass(frozen=True)
class ResourceChange:
    """One `ResourceChange` of DescribeChangeSet."""

    action: str
    logical_id: str
    resource_type: str
    # "True", "False" or "Conditional" for a Modify; None when CloudFormation does not say.
    replacement: str | None
    # The properties (or attributes) that change; for a replacement, those that cause it.
    causes: tuple[str, ...]

    @classmethod
    def from_api(cls, change: Mapping[str, Any]) -> ResourceChange:
        resource = change["ResourceChange"]
        return cls(
            action=resource.get("Action", "?"),
            logical_id=resource.get("LogicalResourceId", "?"),
            resource_type=resource.get("ResourceType", "?"),
            replacement=resource.get("Replacement"),
            causes=_causes(resource),
        )

    @property
    def replacement_text(self) -> str:
        if self.action != "Modify":
            return "-"
        return self.replacement or "unknown"


def _causes(resource: Mapping[str, Any]) -> tuple[str, ...]:
    """`Code (ArtifactKey)`: each property once, with what made it change when CloudFormation
    names it (a parameter, another resource)."""
    details: Sequence[Mapping[str, Any]] = resource.get("Details") or ()
    replacing = resource.get("Replacement") in ("True", "Conditional")
    entities: dict[str, set[str]] = {}
    for detail in details:
        target = detail.get("Target", {})
        if replacing and target.get("RequiresRecreation") == "Never":
            continue
        name = target.get("Name") or target.get("Attribute") or "?"
        entities.setdefault(name, set()).update(filter(None, [detail.get("CausingEntity")]))
    if not details:
        return tuple(sorted(resource.get("Scope") or ()))
    return tuple(
        f"{name} ({', '.join(sorted(causes))})" if causes else name
        for name, causes in sorted(entities.items())
    )


def resource_changes(pages: Iterable[Mapping[str, Any]]) -> tuple[ResourceChange, ...]:
    """The resource changes of DescribeChangeSet's pages, in a stable reading order."""
    changes = (
        ResourceChange.from_api(change)
        for page in pages
        for change in page.get("Changes", ())
        if change.get("Type", "Resource") == "Resource"
    )
    return tuple(sorted(changes, key=_reading_order))


def _reading_order(change: ResourceChange) -> tuple[int, str]:
    rank = ACTION_ORDER.index(change.action) if change.action in ACTION_ORDER else len(ACTION_ORDER)
    return rank, change.logical_id


def means_no_changes(reason: str | None) -> bool:
    return bool(reason) and any(text in str(reason) for text in NO_CHANGES_REASONS)


def resource_table(changes: Sequence[ResourceChange]) -> list[str]:
    """The change set as an aligned table: action, logical id, type, replacement, properties."""
    rows = [("Action", "Logical id", "Type", "Replacement", "Properties")]
    rows += [
        (
            change.action,
            change.logical_id,
            change.resource_type,
            change.replacement_text,
            ", ".join(change.causes) or "-",
        )
        for change in changes
    ]
    return _aligned(rows)


def summary(changes: Sequence[ResourceChange]) -> str:
    """`3 resource changes: 1 to add, 2 to modify`."""
    counts = {action: sum(c.action == action for c in changes) for action in ACTION_ORDER}
    words = {"Add": "to add", "Modify": "to modify", "Remove": "to remove"}
    parts = [f"{n} {words.get(action, action.lower())}" for action, n in counts.items() if n]
    total = f"{len(changes)} resource change{'' if len(changes) == 1 else 's'}"
    return f"{total}: {', '.join(parts)}" if parts else total


@dataclass(frozen=True)
class ParameterChange:
    """A parameter's value before (None on a new stack) and after the change set."""

    key: str
    before: str | None
    after: str
    used_by: tuple[str, ...]


def parameter_changes(
    template: Mapping[str, Any],
    after: Mapping[str, str],
    before: Mapping[str, str] | None,
) -> tuple[ParameterChange, ...]:
    """The template's parameters whose value changes (all of them on a new stack), each with
    the resources that use it. `after` holds every value the change set sets explicitly;
    the others keep their previous value, or take their default."""
    declared: Mapping[str, Mapping[str, Any]] = template.get("Parameters", {})
    changes = []
    for key in sorted(declared):
        previous = None if before is None else before.get(key)
        value = after.get(key, previous)
        if value is None:
            default = declared[key].get("Default")
            value = "" if default is None else str(default)
        if before is None or value != previous:
            hidden = str(declared[key].get("NoEcho", "")).lower() == "true"
            changes.append(
                ParameterChange(
                    key=key,
                    before=NOT_SHOWN if hidden and previous is not None else previous,
                    after=NOT_SHOWN if hidden else value,
                    used_by=parameter_users(template, key),
                )
            )
    return tuple(changes)


def parameter_table(changes: Sequence[ParameterChange]) -> list[str]:
    rows = [("Parameter", "Value", "Used by")]
    for change in changes:
        value = (
            repr(change.after)
            if change.before is None
            else f"{change.before!r} -> {change.after!r}"
        )
        rows.append((change.key, value, ", ".join(change.used_by) or "-"))
    return _aligned(rows)


def parameter_users(template: Mapping[str, Any], parameter: str) -> tuple[str, ...]:
    """The resources that refer to the parameter, directly or through a condition."""
    conditions: Mapping[str, Any] = template.get("Conditions", {})
    dependent = _conditions_using(conditions, parameter)
    users = []
    for logical_id, resource in template.get("Resources", {}).items():
        references = set(referenced_names(resource))
        if resource.get("Condition") in dependent or references & ({parameter} | dependent):
            users.append(logical_id)
    return tuple(sorted(users))


def _conditions_using(conditions: Mapping[str, Any], parameter: str) -> set[str]:
    """The conditions that depend on the parameter, through other conditions too."""
    dependent: set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, body in conditions.items():
            if name not in dependent and set(referenced_names(body)) & ({parameter} | dependent):
                dependent.add(name)
                grown = True
    return dependent


def _aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
