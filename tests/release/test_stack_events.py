"""Following a deploy, rendered from captured events shaped as AWS documents them (moto
reports only the stack's own events): one line per event, or the updating progress line, and
the first failure. The elapsed time is a value given to the renderer, never measured here."""

from __future__ import annotations

import io

from generator.commands.deploy import outputs_text
from generator.commands.executing import failure_message
from generator.release.deploying import Outcome
from generator.release.stack_events import (
    CLEAR_LINE,
    EventLines,
    ProgressLine,
    StackEvent,
    elapsed_text,
    first_failure,
    is_final,
)
from tests.release.answers import answer

STACK = "food-delivery-prod"


def events_oldest_first() -> list[StackEvent]:
    newest_first = answer("describe_stack_events_failed_update.json")["StackEvents"]
    return [StackEvent.from_api(event) for event in reversed(newest_first)]


def on_screen(output: str) -> list[str]:
    """The lines a terminal shows for output: on each line, what follows the last erase."""
    return [line.split(CLEAR_LINE)[-1] for line in output.split("\n") if line]


def test_without_a_terminal_each_event_is_one_line() -> None:
    # Given the events of a failed update
    out = io.StringIO()
    follower = EventLines(out)

    # When they are shown without a terminal
    for event in events_oldest_first():
        follower.event(event)
        follower.tick(5.0)
    follower.finish()

    # Then there is one line per event, oldest first, in UTC, with the reason on the line
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0] == (
        "12:02:00  UPDATE_IN_PROGRESS        food-delivery-prod  AWS::CloudFormation::Stack"
        "  User Initiated"
    )
    assert lines[5].startswith(
        "12:02:28  UPDATE_FAILED             QueryOrdersFunction  AWS::Lambda::Function  "
        'Resource handler returned message: "Error occurred while GetObject.'
    )
    assert "\r" not in out.getvalue()


def test_on_a_terminal_one_line_counts_the_resources_done() -> None:
    # Given the three resources of the change set and a terminal
    out = io.StringIO()
    follower = ProgressLine(
        out,
        stack_name=STACK,
        resources=["OrderProcessorFunction", "QueryOrdersFunction", "ReportsTopic"],
    )
    events = events_oldest_first()

    # When the first four events arrive, 4 seconds in
    for event in events[:4]:
        follower.event(event)
    follower.tick(4.0)

    # Then the line is rewritten in place: nothing done yet, the latest event
    assert follower.text() == "0/3 resources  0:04  ReportsTopic CREATE_IN_PROGRESS"
    assert out.getvalue().count(CLEAR_LINE) == 5  # once per event, once per tick
    assert "\n" not in out.getvalue()

    # When the rest arrives, 70 seconds in
    for event in events[4:]:
        follower.event(event)
    follower.tick(70.0)
    follower.finish()

    # Then every resource is done (failed or complete); the screen keeps the failures on lines
    # of their own, above the final progress line
    assert follower.text() == "3/3 resources  1:10  food-delivery-prod UPDATE_ROLLBACK_COMPLETE"
    screen = on_screen(out.getvalue())
    assert len(screen) == 3
    assert screen[0].startswith("12:02:28  UPDATE_FAILED             QueryOrdersFunction")
    assert "NoSuchKey" in screen[0]
    assert screen[1].endswith("ReportsTopic  AWS::SNS::Topic  Resource creation cancelled")
    assert screen[2] == follower.text()


def test_the_first_failure_is_the_cause_not_the_cancellations_after_it() -> None:
    failure = first_failure(events_oldest_first(), STACK)
    assert failure is not None
    assert (failure.logical_id, failure.status) == ("QueryOrdersFunction", "UPDATE_FAILED")
    assert "\n" not in failure.reason


def test_the_failure_message_names_the_resource_the_reason_and_the_final_status() -> None:
    outcome = Outcome(
        status="UPDATE_ROLLBACK_COMPLETE",
        first_failure=first_failure(events_oldest_first(), STACK),
        execute_error=None,
    )
    message = failure_message(STACK, outcome, events_command="aws cloudformation ...")
    assert message.startswith(
        "deploy failed: QueryOrdersFunction (AWS::Lambda::Function) UPDATE_FAILED: "
        'Resource handler returned message: "Error occurred while GetObject.'
    )
    assert message.endswith("; stack food-delivery-prod is UPDATE_ROLLBACK_COMPLETE")
    assert "\n" not in message


def test_a_failed_creation_says_the_stack_must_be_deleted() -> None:
    outcome = Outcome(status="ROLLBACK_COMPLETE", first_failure=None, execute_error=None)
    message = failure_message(STACK, outcome, events_command="aws cloudformation x")
    assert "no resource reported a failure (see aws cloudformation x)" in message
    assert "is ROLLBACK_COMPLETE; delete it before deploying again" in message


def test_outputs_and_the_way_to_each_partners_secret_and_key() -> None:
    # Given the outputs AWS reports after a deploy
    outputs = {
        "ApiUrl": "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod/",
        "PartnerUserPoolId": "eu-west-1_Pool",
        "PartnerAcmeEatsClientId": "cl1ent",
        "PartnerAcmeEatsApiKeyId": "k3y1d",
    }
    # When they are shown
    lines = outputs_text(outputs, lambda *words: "aws " + " ".join(words))
    # Then sorted and aligned, and the partner's secret and key value are one command away
    assert lines == [
        "Outputs:",
        "  ApiUrl                   https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod/",
        "  PartnerAcmeEatsApiKeyId  k3y1d",
        "  PartnerAcmeEatsClientId  cl1ent",
        "  PartnerUserPoolId        eu-west-1_Pool",
        (
            "PartnerAcmeEats API key (x-api-key): aws apigateway get-api-key --api-key k3y1d "
            "--include-value --query value --output text"
        ),
        (
            "PartnerAcmeEats client secret: aws cognito-idp describe-user-pool-client "
            "--user-pool-id eu-west-1_Pool --client-id cl1ent --query UserPoolClient.ClientSecret "
            "--output text"
        ),
    ]
    assert outputs_text({}, str) == ["Outputs: none reported"]


def test_final_statuses_and_elapsed_time() -> None:
    assert not is_final("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert not is_final("REVIEW_IN_PROGRESS")
    assert is_final("UPDATE_ROLLBACK_COMPLETE")
    assert elapsed_text(3725.9) == "62:05"
