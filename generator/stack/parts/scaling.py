"""Target-tracking auto-scaling of the orders table and its index (PROVISIONED billing only).

The index scales separately from the table: a GSI needs its own scalable targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Sub, Template
from troposphere import applicationautoscaling as aas

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.storage import Storage
from generator.stack.substitution import placeholder


@dataclass(frozen=True)
class Scaling:
    targets: tuple[aas.ScalableTarget, ...]
    policies: tuple[aas.ScalingPolicy, ...]


# (target id, policy id, resource kind, capacity kind)
_DIMENSIONS = (
    (names.TABLE_READ_SCALING_TARGET, names.TABLE_READ_SCALING_POLICY, "table", "Read"),
    (names.TABLE_WRITE_SCALING_TARGET, names.TABLE_WRITE_SCALING_POLICY, "table", "Write"),
    (names.INDEX_READ_SCALING_TARGET, names.INDEX_READ_SCALING_POLICY, "index", "Read"),
    (names.INDEX_WRITE_SCALING_TARGET, names.INDEX_WRITE_SCALING_POLICY, "index", "Write"),
)


def build(t: Template, ctx: Context, storage: Storage) -> Scaling | None:
    capacity = ctx.environment.capacity
    if capacity is None:
        return None
    table_id = f"table/{placeholder(storage.orders_table)}"
    resource_ids = {"table": table_id, "index": f"{table_id}/index/{storage.index_name}"}
    targets, scaling_policies = [], []
    for target_id, policy_id, kind, capacity_kind in _DIMENSIONS:
        # With no RoleARN, Application Auto Scaling uses its service-linked role.
        target = t.add_resource(
            aas.ScalableTarget(
                target_id,
                ServiceNamespace="dynamodb",
                ResourceId=Sub(resource_ids[kind]),
                ScalableDimension=f"dynamodb:{kind}:{capacity_kind}CapacityUnits",
                MinCapacity=capacity.min_units,
                MaxCapacity=capacity.max_units,
            )
        )
        policy = t.add_resource(
            aas.ScalingPolicy(
                policy_id,
                PolicyName=Sub(f"${{AWS::StackName}}-{policy_id}"),
                PolicyType="TargetTrackingScaling",
                ScalingTargetId=target.ref(),
                TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                    TargetValue=capacity.target_utilization,
                    PredefinedMetricSpecification=aas.PredefinedMetricSpecification(
                        PredefinedMetricType=f"DynamoDB{capacity_kind}CapacityUtilization"
                    ),
                ),
            )
        )
        targets.append(target)
        scaling_policies.append(policy)
    return Scaling(targets=tuple(targets), policies=tuple(scaling_policies))
