"""The dead-letter queue (SQS): orders the table could not take, and their redrive.

A message body is `{"reason": "...", "order": {...the order's JSON, its partner included...}}`,
with the order id also as a message attribute for people browsing the queue. (A message of
before partners, whose order names none, is left in the queue by the redrive, with why.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orders.errors import DeadLetterUnavailable
from orders.model import MalformedOrder, Order
from store.clients import describe


@dataclass(frozen=True)
class Backlog:
    """What the queue holds, by SQS's approximate counts (they lag by up to a minute)."""

    visible: int
    in_flight: int  # received by a reader and not yet deleted, or delayed


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    body: str

    def order(self) -> Order:
        """The queued order; MalformedOrder if the message is not one of ours."""
        try:
            content = json.loads(self.body, parse_float=Decimal)
        except ValueError as error:
            raise MalformedOrder(f"message {self.message_id} is not JSON") from error
        if not isinstance(content, dict) or not isinstance(content.get("order"), dict):
            raise MalformedOrder(f"message {self.message_id} carries no order")
        return Order.from_document(content["order"])


class DeadLetterQueue:
    def __init__(self, client: Callable[[], Any], queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def send(self, order: Order, *, reason: str) -> None:
        body = json.dumps({"reason": reason, "order": order.to_message()}, sort_keys=True)
        self._call(
            "send_message",
            QueueUrl=self.queue_url,
            MessageBody=body,
            MessageAttributes={"orderId": {"DataType": "String", "StringValue": order.order_id}},
        )

    # The redrive's side.
    def receive(
        self, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[DeadLetter]:
        response = self._call(
            "receive_message",
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=visibility_timeout,
        )
        return [
            DeadLetter(message["MessageId"], message["ReceiptHandle"], message["Body"])
            for message in response.get("Messages", [])
        ]

    def delete(self, letter: DeadLetter) -> None:
        self._call("delete_message", QueueUrl=self.queue_url, ReceiptHandle=letter.receipt_handle)

    def backlog(self) -> Backlog:
        attributes = self._call(
            "get_queue_attributes",
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return Backlog(
            visible=int(attributes["ApproximateNumberOfMessages"]),
            in_flight=int(attributes["ApproximateNumberOfMessagesNotVisible"])
            + int(attributes["ApproximateNumberOfMessagesDelayed"]),
        )

    def _call(self, operation: str, **request: Any) -> Any:
        """Call SQS; any failure (unreachable, refused, no credentials) is DeadLetterUnavailable."""
        try:
            return getattr(self._client(), operation)(**request)
        except (ClientError, BotoCoreError) as error:
            raise DeadLetterUnavailable(f"dead-letter queue: {describe(error)}") from error
