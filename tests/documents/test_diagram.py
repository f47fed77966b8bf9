"""The architecture diagram is read from the template: its nodes are the template's resources
(counted or folded by type), its edges the template's references."""

from __future__ import annotations

import json
from typing import Any

from troposphere import (
    GetAtt,
    Ref,
    Sub,
    Template,
    awslambda,
    cloudwatch,
    dynamodb,
    iam,
    kms,
    s3,
    sns,
    ssm,
)

from generator.documents import diagram
from generator.documents.diagram import TIMES
from generator.stack.build import render_anew
from generator.stack.environments import ENVIRONMENTS
from generator.stack.function_specs import FUNCTIONS
from generator.template_view.references import references
from tests.stack.test_function_specs import AUDITOR


def _small_template() -> Template:
    """A key, the table it encrypts, a function (and its role) using the table, and two
    alarms on the function that notify a topic."""
    t = Template()
    key = t.add_resource(kms.Key("Key"))
    t.add_resource(kms.Alias("KeyAlias", AliasName="alias/test", TargetKeyId=Ref(key)))
    table = t.add_resource(
        dynamodb.Table(
            "Orders",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[dynamodb.KeySchema(AttributeName="id", KeyType="HASH")],
            AttributeDefinitions=[
                dynamodb.AttributeDefinition(AttributeName="id", AttributeType="S")
            ],
            SSESpecification=dynamodb.SSESpecification(
                SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=GetAtt(key, "Arn")
            ),
        )
    )
    topic = t.add_resource(sns.Topic("Alerts"))
    role = t.add_resource(iam.Role("WorkerRole", AssumeRolePolicyDocument={}))
    worker = t.add_resource(
        awslambda.Function(
            "Worker",
            Code=awslambda.Code(ZipFile="def handler(event, context): pass"),
            Handler="index.handler",
            Runtime="python3.13",
            Role=GetAtt(role, "Arn"),
            Environment=awslambda.Environment(Variables={"TABLE": Ref(table)}),
        )
    )
    for name in ("WorkerErrorsAlarm", "WorkerThrottlesAlarm"):
        t.add_resource(
            cloudwatch.Alarm(
                name,
                AlarmActions=[Ref(topic)],
                Dimensions=[cloudwatch.MetricDimension(Name="FunctionName", Value=Ref(worker))],
                MetricName="Errors",
                Namespace="AWS/Lambda",
                ComparisonOperator="GreaterThanThreshold",
                EvaluationPeriods=1,
                Period=60,
                Statistic="Sum",
                Threshold=0,
            )
        )
    return t


def _rendered(t: Template) -> dict[str, Any]:
    rendered: dict[str, Any] = json.loads(t.to_json())
    return rendered


def test_a_small_template_gives_exactly_this_mermaid() -> None:
    # Given a template of eight resources
    template = _rendered(_small_template())

    # When drawn
    text = diagram.render(template, title="a test")

    # Then the alias and the role fold into what they serve, the two alarms are one counted
    # node, and each reference is an edge: the key's drawn from the key, the alarms' watching
    # dotted, their notification solid
    assert text == (
        "flowchart LR\n"
        "    %% a test\n"
        '    subgraph security["security"]\n'
        '        Key["Key<br/>KMS::Key<br/>+ 1 Alias"]\n'
        "    end\n"
        '    subgraph compute["compute"]\n'
        '        Worker["Worker<br/>Lambda::Function<br/>+ 1 Role"]\n'
        "    end\n"
        '    subgraph data["data"]\n'
        '        Orders["Orders<br/>DynamoDB::Table"]\n'
        "    end\n"
        '    subgraph messaging["messaging"]\n'
        '        Alerts["Alerts<br/>SNS::Topic"]\n'
        "    end\n"
        '    subgraph observability["observability"]\n'
        f'        CloudWatchAlarmGroup["2 {TIMES} CloudWatch::Alarm"]\n'
        "    end\n"
        "    CloudWatchAlarmGroup --> Alerts\n"
        "    CloudWatchAlarmGroup -.-> Worker\n"
        "    Key -. encrypts .-> Orders\n"
        "    Worker --> Orders\n"
    )


def test_a_resource_added_to_the_template_appears_with_its_references() -> None:
    # Given the small template plus a parameter naming the table, and a bucket (a type no
    # concern claims)
    t = _small_template()
    t.add_resource(ssm.Parameter("OrdersName", Type="String", Value=Ref("Orders")))
    t.add_resource(s3.Bucket("Exports"))

    # When drawn
    text = diagram.render(_rendered(t))

    # Then the parameter is a node in its concern, with an edge to the table it names
    assert (
        '    subgraph config["config"]\n        OrdersName["OrdersName<br/>SSM::Parameter"]\n'
        in text
    )
    assert "    OrdersName --> Orders\n" in text
    # And the bucket is drawn too, in a subgraph of its own after the known concerns
    assert text.index('subgraph other["other"]') > text.index("subgraph observability")
    assert 'Exports["Exports<br/>S3::Bucket"]' in text


def test_references_come_from_ref_getatt_sub_and_depends_on() -> None:
    # Given a resource that names four others in each of the ways a template can, plus a
    # pseudo-parameter, a template parameter and an escaped ${!literal}
    resources = {name: {"Type": "AWS::SNS::Topic"} for name in ("A", "B", "C", "D", "E")}
    resource = {
        "Type": "AWS::SQS::Queue",
        "DependsOn": ["A"],
        "Properties": {
            "One": {"Ref": "B"},
            "Two": {"Fn::GetAtt": ["C", "Arn"]},
            "Three": Sub("${D.Arn}/${AWS::Region}/${Param}/${!E}").to_dict(),
            "Four": {"Fn::Sub": ["${Local}", {"Local": {"Ref": "E"}}]},
        },
    }

    # When its references are read
    found = sorted(references(resource, resources))

    # Then it names exactly those resources, and nothing else
    assert found == ["A", "B", "C", "D", "E"]


def test_every_resource_of_prod_is_drawn_exactly_once(
    rendered_templates: dict[str, dict[str, Any]],
) -> None:
    # Given prod's template, When drawn
    template = rendered_templates["prod"]
    nodes = diagram.build(template).nodes

    # Then each resource is in exactly one node (on its own, counted or folded)
    members = [name for node in nodes for name in node.members]
    assert sorted(members) == sorted(template["Resources"])
    # And the repetitive ones are counted, one node per type
    labels = {node.node_id: node.lines[0] for node in nodes}
    methods = sum(
        1 for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Method"
    )
    assert labels["ApiGatewayMethodGroup"] == f"{methods} {TIMES} ApiGateway::Method"
    assert len(nodes) < len(template["Resources"]) / 2


def test_a_function_added_to_the_generator_appears_in_the_diagram() -> None:
    # Given the dev stack with a third function entry (tests/stack/test_function_specs.py)
    before = diagram.render(render_anew(ENVIRONMENTS["dev"]).template)
    after = diagram.render(render_anew(ENVIRONMENTS["dev"], (*FUNCTIONS, AUDITOR)).template)

    # Then the function appears with its role folded in, reading the orders table and
    # writing its own log group, which the key encrypts
    assert "OrderAuditorFunction" not in before
    assert 'OrderAuditorFunction["OrderAuditorFunction<br/>Lambda::Function<br/>+ 1 Role"]' in after
    assert "    OrderAuditorFunction --> OrdersTable\n" in after
    assert "    OrderAuditorFunction --> OrderAuditorLogGroup\n" in after
    assert "    DataKey -. encrypts .-> OrderAuditorLogGroup\n" in after
    # And its error-rate alarm is counted with the others
    assert f"7 {TIMES} CloudWatch::Alarm" in before
    assert f"8 {TIMES} CloudWatch::Alarm" in after


def test_a_double_quote_in_a_label_cannot_end_it() -> None:
    # Given a condition name with a double quote (Mermaid ends a quoted label there)
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": 'Say"Hi'}}}
    # When drawn, Then the quote is written as Mermaid's entity
    assert 'T["T<br/>SNS::Topic, if Say#quot;Hi"]' in diagram.render(template)
