"""The template's intrinsic functions (Ref, Fn::Sub, Fn::GetAtt, Fn::Join), resolved against
the local stack: what a function's environment and a parameter's value need."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.template_view.references import SUB_VARIABLE


class UnresolvableError(ValueError):
    """The template refers to something the local stack does not have."""


@dataclass(frozen=True)
class Resolver:
    stack_name: str
    region: str
    account_id: str
    physical_ids: Mapping[str, str]  # logical id -> what its Ref returns
    attributes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            [(name, argument)] = node.items()
            functions: dict[str, Callable[[Any], str]] = {
                "Ref": self.ref,
                "Fn::GetAtt": lambda pair: self.get_att(*pair),
                "Fn::Sub": self.sub,
                "Fn::Join": self.join,
            }
            function = functions.get(name)
            if function is not None:
                return function(argument)
        return {key: self.resolve(value) for key, value in node.items()}

    def join(self, argument: list[Any]) -> str:
        separator, parts = argument
        return str(separator).join(str(self.resolve(part)) for part in parts)

    def ref(self, name: str) -> str:
        for known in (self.pseudo(), self.parameters, self.physical_ids):
            if name in known:
                return known[name]
        raise UnresolvableError(f"Ref {name}: not in the local stack")

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise UnresolvableError(f"Fn::GetAtt {logical_id}.{attribute}") from None

    def sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: str(self.resolve(value)) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return SUB_VARIABLE.sub(replace, text)
