"""`${...}` placeholders in Fn::Sub strings, written from the troposphere object itself."""

from __future__ import annotations

from troposphere import AWSObject


def logical_id(resource: AWSObject) -> str:
    """The resource's logical id (troposphere types `title` as optional; ours all have one)."""
    if not resource.title:
        raise ValueError(f"{type(resource).__name__} has no logical id")
    return str(resource.title)


def placeholder(resource: AWSObject, attribute: str | None = None) -> str:
    """`${LogicalId}` (its Ref) or `${LogicalId.Attribute}` (its Fn::GetAtt), for Fn::Sub."""
    title = logical_id(resource)
    return f"${{{title}.{attribute}}}" if attribute else f"${{{title}}}"
