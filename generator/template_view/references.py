"""The names a CloudFormation template fragment refers to, read from its intrinsic functions.

One walker for every reader of a rendered template: the diagram's edges, the resources a key
encrypts, the parameters a change set touches, and the order the tests hand resources to moto.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# `${Name}` and `${Name.Attribute}`; `${!Literal}` is an escaped dollar, not a reference.
SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def referenced(value: Any) -> str | None:
    """The logical id (or parameter) a `Ref` or `Fn::GetAtt` names, when value is one."""
    if isinstance(value, Mapping):
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and target:
            return str(target[0])
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None


def references(resource: Mapping[str, Any], resources: Mapping[str, Any]) -> Iterator[str]:
    """The other resources a resource refers to, DependsOn included (parameters and
    pseudo-parameters left out)."""
    depends_on = resource.get("DependsOn", [])
    named = [depends_on] if isinstance(depends_on, str) else list(depends_on)
    body = {key: value for key, value in resource.items() if key != "DependsOn"}
    for name in (*named, *referenced_names(body)):
        if name in resources:
            yield name


def referenced_names(node: Any) -> Iterator[str]:
    """Logical ids, parameters and conditions named by Ref, Fn::GetAtt, Fn::Sub, Fn::If and
    Condition (pseudo-parameters such as AWS::Region included; callers keep what they know)."""
    if isinstance(node, list):
        for item in node:
            yield from referenced_names(item)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("Ref", "Condition") and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield from _get_att_target(value)
            elif key == "Fn::Sub":
                yield from _sub_names(value)
            elif key == "Fn::If" and isinstance(value, list) and value:
                yield str(value[0])
                yield from referenced_names(value[1:])
            else:
                yield from referenced_names(value)


def _get_att_target(value: Any) -> Iterator[str]:
    if isinstance(value, list) and value and isinstance(value[0], str):
        yield value[0]
    elif isinstance(value, str):
        yield value.split(".", 1)[0]


def _sub_names(value: Any) -> Iterator[str]:
    # A variable defined in Fn::Sub's own map is local to it, not a reference to the template.
    text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
    for variable in SUB_VARIABLE.findall(str(text)):
        if variable not in variables:
            yield variable.split(".", 1)[0]
    yield from referenced_names(variables)
