"""What a rendered template says, read for the cost estimate: its routes and the function
behind each, what the functions' environments name, the stage's settings, the orders table's
provisioned capacity and its auto-scaling.

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

from generator.stack.function_specs import Resource
from generator.template_view.references import referenced, references
from generator.template_view.resources import FUNCTION, TemplateView

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


class TemplateFacts(TemplateView):
    def functions(self) -> dict[str, Mapping[str, Any]]:
        return self.of_type(FUNCTION)

    def routes(self) -> dict[str, str]:
        """`POST /orders` -> the logical id of the function it invokes."""
        routes = {}
        for method in self.api_methods():
            function = self.invoked_function(method)
            if function is not None:
                routes[f"{method.http_method} {method.path}"] = function
        return routes

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

    def index_count(self, resource: Resource) -> int:
        """The global secondary indexes of the table the functions name for resource."""
        table = self.named_by_functions(resource)
        return len(self.properties(table).get("GlobalSecondaryIndexes", [])) if table else 0

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


def _substituted(value: Any) -> str:
    """`table/${OrdersTable}` as `table/OrdersTable`: the logical id stands for the name."""
    text = value.get("Fn::Sub", "") if isinstance(value, dict) else value
    return re.sub(r"\$\{(\w+)\}", r"\1", text if isinstance(text, str) else "")
