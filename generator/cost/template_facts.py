"""What a rendered template says, read for the cost estimate (generator/costing.py): its
routes and the function behind each, what the functions' environments name, the stage's
settings, the orders table's provisioned capacity and its auto-scaling.

Everything is read from the JSON as CloudFormation gets it, never from the generator's
objects, so the estimate describes the template that is deployed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.documents.diagram import references
from generator.stack.function_specs import Resource

FUNCTION = "AWS::Lambda::Function"
# Types that name a key to use it, not to be encrypted by it.
KEY_USERS_NOT_ENCRYPTED = ("AWS::KMS::", "AWS::IAM::")
# The provisioned dimensions of a table and its first index, as the estimate names them.
DIMENSIONS = ("table read", "table write", "index read", "index write")


@dataclass(frozen=True)
class Throughput:
    """One provisioned dimension (the table's or its index's reads or writes), with the
    target tracking that scales it, if any."""

    units: int
    min_units: int | None = None
    max_units: int | None = None
    target_percent: Decimal | None = None

    def provisioned_for(self, units_per_second: Decimal) -> int:
        """The capacity it runs at under this steady demand: what keeps utilisation at the
        target within the scaling bounds, or the template's fixed capacity."""
        if self.target_percent is None or self.min_units is None or self.max_units is None:
            return self.units
        needed = math.ceil(units_per_second * 100 / self.target_percent)
        return min(max(needed, self.min_units), self.max_units)

    def throttles(self, units_per_second: Decimal) -> bool:
        ceiling = self.units if self.max_units is None else self.max_units
        return units_per_second > ceiling


class Stack:
    def __init__(self, template: Mapping[str, Any]) -> None:
        self.resources: Mapping[str, Mapping[str, Any]] = template.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        """The properties of each resource of that type, by logical id (sorted)."""
        return {
            name: resource.get("Properties", {})
            for name, resource in sorted(self.resources.items())
            if resource.get("Type") == resource_type
        }

    def properties(self, name: str) -> Mapping[str, Any]:
        properties: Mapping[str, Any] = self.resources.get(name, {}).get("Properties", {})
        return properties

    def functions(self) -> dict[str, Mapping[str, Any]]:
        return self.of_type(FUNCTION)

    def routes(self) -> dict[str, str]:
        """`POST /orders` -> the logical id of the function it invokes."""
        routes = {}
        for method in self.of_type("AWS::ApiGateway::Method").values():
            function = self._invoked_function(method.get("Integration", {}))
            if function is not None:
                path = self._path(method.get("ResourceId"))
                routes[f"{method.get('HttpMethod')} {path}"] = function
        return routes

    def _invoked_function(self, integration: Mapping[str, Any]) -> str | None:
        uri = integration.get("Uri")
        text = uri.get("Fn::Sub") if isinstance(uri, dict) else None
        for name in re.findall(r"\$\{(\w+)\.Arn\}", text if isinstance(text, str) else ""):
            if self.resources.get(name, {}).get("Type") == FUNCTION:
                return str(name)
        return None

    def _path(self, resource_id: Any) -> str:
        parts = []
        while (name := referenced(resource_id)) in self.of_type("AWS::ApiGateway::Resource"):
            properties = self.properties(str(name))
            parts.append(str(properties.get("PathPart", "")))
            resource_id = properties.get("ParentId")
        return "/" + "/".join(reversed(parts))

    def variable(self, function: str, name: str) -> Any:
        return self.properties(function).get("Environment", {}).get("Variables", {}).get(name)

    def named_by_functions(self, resource: Resource) -> str | None:
        """The logical id the functions' environments give under that resource's variable."""
        for function in self.functions():
            name = referenced(self.variable(function, resource.variable))
            if name is not None:
                return name
        return None

    def log_group_of(self, function: str) -> str | None:
        return referenced(self.properties(function).get("LoggingConfig", {}).get("LogGroup"))

    def retention_days(self, log_group: str) -> int | None:
        days = self.properties(log_group).get("RetentionInDays")
        return None if days is None else int(days)

    def stage(self) -> Mapping[str, Any]:
        return next(iter(self.of_type("AWS::ApiGateway::Stage").values()), {})

    def stage_setting(self, key: str) -> Any:
        """A setting the stage gives every method (`/*`, `*`), if it gives it."""
        for setting in self.stage().get("MethodSettings", []):
            if setting.get("HttpMethod") == "*" and setting.get("ResourcePath") == "/*":
                return setting.get(key)
        return None

    def encrypted_resources(self) -> list[str]:
        """Resources that name a KMS key to be encrypted with it."""
        keys = set(self.of_type("AWS::KMS::Key"))
        return sorted(
            name
            for name, resource in self.resources.items()
            if not str(resource.get("Type")).startswith(KEY_USERS_NOT_ENCRYPTED)
            and keys & set(references(resource, self.resources))
        )

    def throughputs(self, table: str) -> dict[str, Throughput]:
        """The provisioned dimensions of a table and its first index (none when on-demand)."""
        properties = self.properties(table)
        owners = [("table", properties, f"table/{table}")]
        indexes = properties.get("GlobalSecondaryIndexes", [])
        if indexes:
            owners.append(("index", indexes[0], f"table/{table}/index/{indexes[0]['IndexName']}"))
        scaling = self._target_tracking()
        found = {}
        for owner, holder, resource_id in owners:
            throughput = holder.get("ProvisionedThroughput", {})
            for kind, key in (("read", "ReadCapacityUnits"), ("write", "WriteCapacityUnits")):
                if key in throughput:
                    bounds = scaling.get((resource_id, f"dynamodb:{owner}:{key}"), ())
                    found[f"{owner} {kind}"] = Throughput(int(throughput[key]), *bounds)
        return found

    def _target_tracking(self) -> dict[tuple[str, str], tuple[int, int, Decimal]]:
        """(resource id, dimension) -> (min, max, target %) of each target-tracked target."""
        tracked = {}
        for policy in self.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values():
            target = referenced(policy.get("ScalingTargetId"))
            configuration = policy.get("TargetTrackingScalingPolicyConfiguration", {})
            if target is None or "TargetValue" not in configuration:
                continue
            properties = self.properties(target)
            key = (
                _substituted(properties.get("ResourceId")),
                str(properties.get("ScalableDimension")),
            )
            tracked[key] = (
                int(properties["MinCapacity"]),
                int(properties["MaxCapacity"]),
                Decimal(str(configuration["TargetValue"])),
            )
        return tracked


def referenced(value: Any) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` names, when value is one."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and target:
            return str(target[0])
    return None


def _substituted(value: Any) -> str:
    """`table/${OrdersTable}` as `table/OrdersTable`: the logical id stands for the name."""
    text = value.get("Fn::Sub", "") if isinstance(value, dict) else value
    return re.sub(r"\$\{(\w+)\}", r"\1", text if isinstance(text, str) else "")
