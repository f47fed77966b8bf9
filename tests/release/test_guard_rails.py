"""The guard rail on change-set data shaped as AWS documents it: which changes put a stateful
resource at risk, and what a refusal says in dev and in prod (moto reports no Replacement,
so only its "unknown" case can be seen against moto: tests/release/test_deploy_command.py)."""

from __future__ import annotations

import json

import pytest

from generator.files import COMMITTED_TEMPLATES as TEMPLATES
from generator.release.change_sets import ResourceChange, resource_changes
from generator.release.guard_rails import STATEFUL_TYPES, at_risk, refusal, warning
from generator.stack.environments import ENVIRONMENTS
from tests.release.answers import answer


def change(action: str, replacement: str | None, resource_type: str) -> ResourceChange:
    return ResourceChange(
        action=action,
        logical_id="Thing",
        resource_type=resource_type,
        replacement=replacement,
        causes=(),
    )


def test_the_replaced_table_the_queue_that_may_be_and_the_removed_log_group_are_at_risk() -> None:
    # Given the update of aws_answers/: table replaced (True), queue Conditional, log group
    # removed, functions and topic modified without replacement, a topic added
    changes = resource_changes([answer("describe_change_set_update.json")])

    # When the guard rail looks at it
    risky = at_risk(changes)

    # Then exactly the stateful resources it would replace or remove are named
    assert [(item.change.logical_id, item.verb) for item in risky] == [
        ("OrderDeadLetterQueue", "may replace"),
        ("OrdersTable", "replaces"),
        ("QueryOrdersLogGroup", "removes"),
    ]


def test_in_prod_the_refusal_names_the_data_that_would_be_lost() -> None:
    risky = at_risk(resource_changes([answer("describe_change_set_update.json")]))
    message = refusal(risky, name_the_data=True)
    assert "OrdersTable (AWS::DynamoDB::Table): every order" in message
    assert "OrderDeadLetterQueue (AWS::SQS::Queue): every order waiting there" in message
    assert "QueryOrdersLogGroup (AWS::Logs::LogGroup): every log event kept in it" in message
    assert "--allow-replacement" in message
    assert "\n" not in message


def test_in_dev_the_refusal_names_the_resources_only() -> None:
    risky = at_risk(resource_changes([answer("describe_change_set_update.json")]))
    message = refusal(risky, name_the_data=False)
    assert "replaces OrdersTable (AWS::DynamoDB::Table)." in message or (
        "replaces OrdersTable (AWS::DynamoDB::Table);" in message
    )
    assert "every order" not in message


@pytest.mark.parametrize(
    ("action", "replacement", "verb"),
    [
        ("Modify", "True", "replaces"),
        ("Modify", "Conditional", "may replace"),
        ("Modify", None, "may replace"),  # CloudFormation did not say: assume the worse
        ("Remove", None, "removes"),
        ("Dynamic", None, "may replace"),
        ("Modify", "False", None),
        ("Add", None, None),
        ("Import", None, None),
    ],
)
def test_what_puts_a_stateful_resource_at_risk(
    action: str, replacement: str | None, verb: str | None
) -> None:
    risky = at_risk([change(action, replacement, "AWS::DynamoDB::Table")])
    assert [item.verb for item in risky] == ([verb] if verb else [])


def test_a_stateless_resource_may_be_replaced() -> None:
    # Given a function replaced and a role removed: nothing is lost with them
    risky = at_risk(
        [
            change("Modify", "True", "AWS::Lambda::Function"),
            change("Remove", None, "AWS::IAM::Role"),
        ]
    )
    assert risky == ()


def test_every_resource_of_a_stateful_type_in_the_templates_is_protected() -> None:
    # Given each template's resources by type (the guard rail reads the type, not a list of ids)
    for environment in ENVIRONMENTS.values():
        template = json.loads((TEMPLATES / environment.template_file_name).read_text())
        stateful = {
            logical_id: resource["Type"]
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] in STATEFUL_TYPES
        }
        # Then the tables, the queue, the key and the log groups are all covered
        assert {"OrdersTable", "IdempotencyTable", "OrderDeadLetterQueue", "DataKey"} <= set(
            stateful
        )
        assert {"OrderProcessorLogGroup", "QueryOrdersLogGroup", "ApiAccessLogGroup"} <= set(
            stateful
        )
        # And each is refused when replaced
        for logical_id, resource_type in stateful.items():
            replaced = ResourceChange("Modify", logical_id, resource_type, "True", ())
            assert at_risk([replaced]), logical_id


def test_the_preview_warns_in_the_same_words() -> None:
    risky = at_risk([ResourceChange("Modify", "OrdersTable", "AWS::DynamoDB::Table", "True", ())])
    assert warning(risky, name_the_data=True) == [
        "Stateful resources at risk (deploy refuses this change set without --allow-replacement):",
        "  replaces OrdersTable (AWS::DynamoDB::Table): every order",
    ]
