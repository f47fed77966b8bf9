"""The preview of a change set: its resource table and parameter table, from DescribeChangeSet
answers shaped as AWS documents them (moto's change sets carry no Replacement, Scope or
Details: see aws_answers/README.md)."""

from __future__ import annotations

import json

from generator.files import COMMITTED_TEMPLATES as TEMPLATES
from generator.release.change_sets import (
    ParameterChange,
    means_no_changes,
    parameter_changes,
    parameter_table,
    parameter_users,
    resource_changes,
    resource_table,
    summary,
)
from generator.stack.environments import ENVIRONMENTS
from tests.release.answers import answer

PROD_TEMPLATE = json.loads(
    (TEMPLATES / ENVIRONMENTS["prod"].template_file_name).read_text(encoding="utf-8")
)


def test_the_table_shows_action_id_type_replacement_and_what_causes_it() -> None:
    # Given an update that replaces the table, changes the functions' code through ArtifactKey,
    # may replace the queue, removes a log group and adds a topic
    changes = resource_changes([answer("describe_change_set_update.json")])

    # When it is rendered
    table = resource_table(changes)

    # Then each row is aligned and says what CloudFormation will do, and why
    assert table == [
        "Action  Logical id              Type                   Replacement  Properties",
        "Add     ReportsTopic            AWS::SNS::Topic        -            -",
        "Modify  AlertTopic              AWS::SNS::Topic        False        Tags",
        "Modify  OrderDeadLetterQueue    AWS::SQS::Queue        Conditional  FifoQueue (QueueKind)",
        "Modify  OrderProcessorFunction  AWS::Lambda::Function  False        Code (ArtifactKey)",
        "Modify  OrdersTable             AWS::DynamoDB::Table   True         KeySchema",
        "Modify  QueryOrdersFunction     AWS::Lambda::Function  False        Code (ArtifactKey)",
        "Remove  QueryOrdersLogGroup     AWS::Logs::LogGroup    -            -",
    ]
    assert summary(changes) == "7 resource changes: 1 to add, 5 to modify, 1 to remove"


def test_a_replacement_lists_only_the_properties_that_cause_it() -> None:
    # Given the table's change: KeySchema (Always) and AttributeDefinitions (Never)
    [table] = [
        change
        for change in resource_changes([answer("describe_change_set_update.json")])
        if change.logical_id == "OrdersTable"
    ]
    # Then only KeySchema is named as the cause
    assert table.replacement == "True"
    assert table.causes == ("KeySchema",)


def test_changes_of_every_page_are_read_and_hooks_are_not_resources() -> None:
    # Given DescribeChangeSet answered in two pages, the second with a hook invocation
    first = answer("describe_change_set_update.json")
    second = {
        "Changes": [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Add",
                    "LogicalResourceId": "Z",
                    "ResourceType": "AWS::SNS::Topic",
                },
            },
            {"Type": "HookInvocation", "HookInvocation": {"HookType": "Private::Guard::Hook"}},
        ]
    }
    # When they are read
    changes = resource_changes([first, second])
    # Then every resource change is there, once
    assert len(changes) == 8
    assert [c.logical_id for c in changes].count("Z") == 1


def test_moto_shaped_changes_say_the_replacement_is_unknown() -> None:
    # Given a change as moto answers it: no Replacement, Scope or Details
    changes = resource_changes(
        [
            {
                "Changes": [
                    {
                        "Type": "Resource",
                        "ResourceChange": {
                            "Action": "Modify",
                            "LogicalResourceId": "OrdersTable",
                            "ResourceType": "AWS::DynamoDB::Table",
                        },
                    }
                ]
            }
        ]
    )
    # Then the table says so rather than guessing
    assert resource_table(changes)[1].split() == [
        "Modify",
        "OrdersTable",
        "AWS::DynamoDB::Table",
        "unknown",
        "-",
    ]


def test_a_new_artifact_key_names_both_functions() -> None:
    # Given a deployed prod stack and a release with a new zip
    before = {
        "AlertEmail": "",
        "ArtifactBucket": "releases",
        "ArtifactKey": "a/handlers-1.zip",
        "AuthDomainPrefix": "",
        "ManageApiGatewayAccount": "true",
        "ReservedConcurrency": "100",
    }
    after = {"ArtifactBucket": "releases", "ArtifactKey": "a/handlers-2.zip"}

    # When the parameter changes are computed
    changes = parameter_changes(PROD_TEMPLATE, after, before)

    # Then only the key changed, and it is used by both functions
    assert changes == (
        ParameterChange(
            key="ArtifactKey",
            before="a/handlers-1.zip",
            after="a/handlers-2.zip",
            used_by=("OrderProcessorFunction", "QueryOrdersFunction"),
        ),
    )
    assert parameter_table(changes)[1].split() == [
        "ArtifactKey",
        "'a/handlers-1.zip'",
        "->",
        "'a/handlers-2.zip'",
        "OrderProcessorFunction,",
        "QueryOrdersFunction",
    ]


def test_a_new_stack_shows_every_parameter_with_defaults_filled_in() -> None:
    changes = parameter_changes(
        PROD_TEMPLATE, {"ArtifactBucket": "b", "ArtifactKey": "k.zip"}, None
    )
    values = {change.key: (change.before, change.after) for change in changes}
    assert values == {
        "AlertEmail": (None, ""),
        "ArtifactBucket": (None, "b"),
        "ArtifactKey": (None, "k.zip"),
        "AuthDomainPrefix": (None, ""),
        "ManageApiGatewayAccount": (None, "true"),
        "ReservedConcurrency": (None, "100"),
    }


def test_a_parameter_kept_from_the_stack_is_no_change() -> None:
    before = {"ArtifactBucket": "b", "ArtifactKey": "k.zip", "ReservedConcurrency": "5"}
    changes = parameter_changes(
        PROD_TEMPLATE, {"ArtifactBucket": "b", "ArtifactKey": "k.zip"}, before
    )
    # ReservedConcurrency keeps 5 (UsePreviousValue), not the template's default of 100
    assert [change.key for change in changes] == [
        "AlertEmail",
        "AuthDomainPrefix",
        "ManageApiGatewayAccount",
    ]
    assert all(change.before is None for change in changes)  # parameters new to the stack


def test_a_no_echo_parameter_is_never_shown() -> None:
    template = {"Parameters": {"Secret": {"Type": "String", "NoEcho": "true"}}, "Resources": {}}
    [change] = parameter_changes(template, {"Secret": "s3cr3t"}, {"Secret": "old"})
    assert "s3cr3t" not in "\n".join(parameter_table([change]))
    assert (change.before, change.after) == ("****", "****")


def test_parameters_reach_resources_through_conditions() -> None:
    # ReservedConcurrency -> HasReservedConcurrency (Fn::If in the function);
    # AlertEmail -> HasAlertEmail (the subscription's Condition)
    assert parameter_users(PROD_TEMPLATE, "ReservedConcurrency") == ("OrderProcessorFunction",)
    assert parameter_users(PROD_TEMPLATE, "AlertEmail") == ("AlertEmailSubscription",)


def test_both_answers_for_nothing_to_change_are_recognised() -> None:
    assert means_no_changes(
        "The submitted information didn't contain changes. Submit different information to "
        "create a change set."
    )
    assert means_no_changes("No updates are to be performed.")
    assert not means_no_changes("Template format error: Unresolved resource dependencies")
    assert not means_no_changes(None)
