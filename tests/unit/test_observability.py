"""Tracing: what the Lambda entries put into X-Ray.

Powertools' own capture_lambda_handler runs here; only the X-Ray SDK recorder under it (the
Tracer's `provider`, Powertools' documented extension point) is replaced by one that records
what it is given. No AWS API is involved.
"""

from __future__ import annotations

import contextlib

import pytest

import observability

ADDRESS = {"street": "1 Main Street", "city": "Dublin", "zipCode": "D01 F5P2"}


class Subsegment:
    def __init__(self, name: str) -> None:
        self.name = name
        self.metadata: dict[str, object] = {}
        self.annotations: dict[str, object] = {}

    def put_metadata(self, key, value, namespace="default"):
        self.metadata[key] = value

    def put_annotation(self, key, value):
        self.annotations[key] = value


class RecordingProvider:
    def __init__(self) -> None:
        self.subsegments: list[Subsegment] = []

    @contextlib.contextmanager
    def in_subsegment(self, name=None, **kwargs):
        subsegment = Subsegment(name)
        self.subsegments.append(subsegment)
        yield subsegment


@pytest.fixture
def provider(monkeypatch) -> RecordingProvider:
    recording = RecordingProvider()
    monkeypatch.setattr(observability.tracer(), "provider", recording)
    return recording


def test_traces_never_carry_the_response(provider):
    # Given an entry whose response holds a customer's address
    def handler(event, context):
        return {"statusCode": 201, "body": {"deliveryAddress": ADDRESS}}

    # When it runs traced, as both Lambda entries do
    response = observability.capture_lambda_handler(handler)({}, None)
    # Then its subsegment exists, but no metadata carries the response (X-Ray keeps trace
    # data for 30 days, readable by anyone with xray:BatchGetTraces)
    assert response["body"]["deliveryAddress"] == ADDRESS
    [subsegment] = provider.subsegments
    assert subsegment.name == "## handler"
    assert subsegment.metadata == {}
    assert "1 Main Street" not in repr(subsegment.metadata)


def test_traces_still_carry_errors(provider):
    # Given an entry that fails
    def handler(event, context):
        raise RuntimeError("boom")

    # When it runs traced
    with pytest.raises(RuntimeError):
        observability.capture_lambda_handler(handler)({}, None)
    # Then the error is recorded on its subsegment
    [subsegment] = provider.subsegments
    assert isinstance(subsegment.metadata["handler error"], RuntimeError)


def test_an_environment_variable_cannot_turn_response_capture_back_on(provider, monkeypatch):
    # Given Powertools' own switch set to capture responses
    monkeypatch.setenv("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "true")

    def handler(event, context):
        return {"body": {"deliveryAddress": ADDRESS}}

    # When an entry runs traced
    observability.capture_lambda_handler(handler)({}, None)
    # Then the explicit setting wins: no response in the trace
    assert provider.subsegments[0].metadata == {}
