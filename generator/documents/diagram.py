"""An architecture diagram (Mermaid `flowchart`) read from a rendered template.

Nothing here lists the stack's resources: nodes are the template's resources and edges its
references (`Ref`, `Fn::GetAtt`, `${...}` in `Fn::Sub`, `DependsOn`), so a resource added to
the generator appears without a change here. What is kept by hand is how to draw a resource
*type*: its concern (the subgraph), whether it folds into the resource it belongs to (a
queue's policy into the queue), and whether many of it become one counted node (API methods,
alarms). That keeps 60-odd resources readable at a glance.

The output is deterministic: subgraphs in a fixed order, nodes and edges sorted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.template_view.references import references

# Subgraphs, in the order they are drawn, and the type prefixes that fall in each. The
# longest matching prefix wins (a Lambda permission is security, a Lambda function compute).
CONCERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("edge", ("AWS::ApiGateway::", "AWS::CloudFormation::")),
    ("identity", ("AWS::Cognito::",)),
    ("security", ("AWS::KMS::", "AWS::IAM::", "AWS::WAFv2::", "AWS::Lambda::Permission")),
    ("compute", ("AWS::Lambda::",)),
    ("data", ("AWS::DynamoDB::", "AWS::ApplicationAutoScaling::")),
    ("messaging", ("AWS::SQS::", "AWS::SNS::")),
    ("config", ("AWS::SSM::",)),
    ("observability", ("AWS::CloudWatch::", "AWS::Logs::")),
)
OTHER_CONCERN = "other"

# A resource of a key type is drawn inside the one resource of a value type it is linked to
# (by a reference either way): it only serves that resource. Linked to none, or to several,
# it is drawn on its own.
FOLDS_INTO: Mapping[str, tuple[str, ...]] = {
    "AWS::KMS::Alias": ("AWS::KMS::Key",),
    "AWS::SQS::QueuePolicy": ("AWS::SQS::Queue",),
    "AWS::SNS::TopicPolicy": ("AWS::SNS::Topic",),
    "AWS::SNS::Subscription": ("AWS::SNS::Topic",),
    "AWS::IAM::Role": ("AWS::Lambda::Function", "AWS::ApiGateway::Account"),
    "AWS::ApiGateway::Resource": ("AWS::ApiGateway::RestApi",),
    "AWS::ApiGateway::Model": ("AWS::ApiGateway::RestApi",),
    "AWS::ApiGateway::RequestValidator": ("AWS::ApiGateway::RestApi",),
    "AWS::ApiGateway::GatewayResponse": ("AWS::ApiGateway::RestApi",),
    # The deployment's id carries a hash of the API: folded, the diagram does not churn.
    "AWS::ApiGateway::Deployment": ("AWS::ApiGateway::Stage",),
    "AWS::ApiGateway::UsagePlanKey": ("AWS::ApiGateway::UsagePlan",),
    "AWS::Cognito::UserPoolDomain": ("AWS::Cognito::UserPool",),
    "AWS::Cognito::UserPoolResourceServer": ("AWS::Cognito::UserPool",),
    "AWS::CloudFormation::WaitConditionHandle": ("AWS::ApiGateway::Account",),
    "AWS::WAFv2::WebACLAssociation": ("AWS::WAFv2::WebACL",),
    "AWS::ApplicationAutoScaling::ScalingPolicy": ("AWS::ApplicationAutoScaling::ScalableTarget",),
}

# Types drawn as one node with a count when the template has more than one of them.
COUNTED_TYPES = frozenset(
    {
        "AWS::ApiGateway::Method",
        # One per partner.
        "AWS::ApiGateway::ApiKey",
        "AWS::Cognito::UserPoolClient",
        "AWS::CloudWatch::Alarm",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::Lambda::Permission",
    }
)

# A reference to a key means "encrypted with it": drawn dotted from the key, so it reads so.
ENCRYPTION_KEY_TYPE = "AWS::KMS::Key"
ENCRYPTS = "encrypts"
# Alarms and dashboards refer to what they watch: dotted, to keep the data path in front.
# What they notify (the topic) stays a solid line.
WATCHER_TYPES = frozenset({"AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard"})
NOTIFIED_TYPES = frozenset({"AWS::SNS::Topic"})

TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dotted: bool = False


@dataclass(frozen=True)
class Node:
    node_id: str
    concern: str
    lines: tuple[str, ...]
    members: tuple[str, ...]  # the logical ids it stands for, folded ones included


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def render(template: Mapping[str, Any], *, title: str = "") -> str:
    """The template as a Mermaid flowchart (text ending in a newline)."""
    return to_mermaid(build(template), title=title)


def build(template: Mapping[str, Any]) -> Diagram:
    resources: Mapping[str, Mapping[str, Any]] = template.get("Resources", {})
    links = {name: set(references(resource, resources)) for name, resource in resources.items()}
    roots = _roots(resources, links)
    owner = _owners(resources, roots)
    members: dict[str, list[str]] = defaultdict(list)
    for name in sorted(resources):
        members[owner[name]].append(name)
    nodes = tuple(
        _node(names, resources, roots, node_id=node_id)
        for node_id, names in sorted(members.items())
    )
    return Diagram(nodes=nodes, edges=_edges(resources, links, owner))


def concern_of(resource_type: str) -> str:
    best, best_length = OTHER_CONCERN, 0
    for concern, prefixes in CONCERNS:
        for prefix in prefixes:
            if resource_type.startswith(prefix) and len(prefix) > best_length:
                best, best_length = concern, len(prefix)
    return best


def _roots(
    resources: Mapping[str, Mapping[str, Any]], links: Mapping[str, set[str]]
) -> dict[str, str]:
    """Each resource's root: the resource it folds into (through any chain), or itself."""
    linked: dict[str, set[str]] = defaultdict(set)
    for source, targets in links.items():
        for target in targets:
            linked[source].add(target)
            linked[target].add(source)
    parent: dict[str, str] = {}
    for name, resource in resources.items():
        hosts = FOLDS_INTO.get(resource["Type"], ())
        candidates = [other for other in linked[name] if resources[other]["Type"] in hosts]
        if len(candidates) == 1:
            parent[name] = candidates[0]
    return {name: _root(name, parent) for name in resources}


def _owners(resources: Mapping[str, Mapping[str, Any]], roots: Mapping[str, str]) -> dict[str, str]:
    """Each resource's node: its root's, or the counted node of its root's type."""
    counted = Counter(
        resources[name]["Type"]
        for name in resources
        if roots[name] == name and resources[name]["Type"] in COUNTED_TYPES
    )
    owner = {}
    for name in resources:
        root = roots[name]
        root_type = resources[root]["Type"]
        owner[name] = _group_id(root_type) if counted[root_type] > 1 else root
    return owner


def _root(name: str, parent: Mapping[str, str]) -> str:
    seen = {name}
    while name in parent and parent[name] not in seen:
        name = parent[name]
        seen.add(name)
    return name


def _group_id(resource_type: str) -> str:
    return "".join(resource_type.split("::")[1:]) + "Group"


def _short_type(resource_type: str) -> str:
    return resource_type.removeprefix("AWS::")


def _node(
    names: list[str],
    resources: Mapping[str, Mapping[str, Any]],
    roots: Mapping[str, str],
    *,
    node_id: str,
) -> Node:
    shown = [name for name in names if roots[name] == name]
    folded = Counter(resources[name]["Type"] for name in names if name not in shown)
    main_type = resources[shown[0]]["Type"]
    if len(shown) > 1:
        lines = [f"{len(shown)} {TIMES} {_short_type(main_type)}"]
    else:
        lines = [shown[0], _short_type(main_type)]
        condition = resources[shown[0]].get("Condition")
        if condition:
            lines[-1] += f", if {condition}"
    if folded:
        lines.append(
            "+ "
            + ", ".join(
                f"{count} {resource_type.rsplit('::', 1)[-1]}"
                for resource_type, count in sorted(folded.items())
            )
        )
    return Node(
        node_id=node_id, concern=concern_of(main_type), lines=tuple(lines), members=tuple(names)
    )


def _edges(
    resources: Mapping[str, Mapping[str, Any]],
    links: Mapping[str, Iterable[str]],
    owner: Mapping[str, str],
) -> tuple[Edge, ...]:
    edges = set()
    for source, targets in links.items():
        for target in targets:
            start, end = owner[source], owner[target]
            if start == end:
                continue
            source_type, target_type = resources[source]["Type"], resources[target]["Type"]
            if target_type == ENCRYPTION_KEY_TYPE:
                edges.add(Edge(end, start, ENCRYPTS, dotted=True))
            elif source_type in WATCHER_TYPES and target_type not in NOTIFIED_TYPES:
                edges.add(Edge(start, end, dotted=True))
            else:
                edges.add(Edge(start, end))
    return tuple(sorted(edges))


def to_mermaid(diagram: Diagram, *, title: str = "") -> str:
    lines = ["flowchart LR"]
    if title:
        # After the diagram's type: some renderers detect the type on the first line only.
        lines.append(f"    %% {title}")
    by_concern: dict[str, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        by_concern[node.concern].append(node)
    for concern in [name for name, _ in CONCERNS] + [OTHER_CONCERN]:
        if not by_concern[concern]:
            continue
        lines.append(f'    subgraph {concern}["{concern}"]')
        lines.extend(
            f'        {node.node_id}["{_label(node.lines)}"]' for node in by_concern[concern]
        )
        lines.append("    end")
    lines.extend(f"    {edge.source} {_arrow(edge)} {edge.target}" for edge in diagram.edges)
    return "\n".join(lines) + "\n"


def _arrow(edge: Edge) -> str:
    if not edge.dotted:
        return f"-->|{edge.label}|" if edge.label else "-->"
    return f"-. {edge.label} .->" if edge.label else "-.->"


def _label(lines: Iterable[str]) -> str:
    # Mermaid ends a quoted label at a double quote: write it as an entity.
    return "<br/>".join(line.replace('"', "#quot;") for line in lines)
