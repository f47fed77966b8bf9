"""The dead-letter queue (SQS): orders the table could not take, and their redrive.

A message body is `{"reason": "...", "order": {...the order's public JSON...}}`, with the
order id also as a message attribute for people browsing the queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from botocore.exceptions import ClientError

from orders.errors import DeadLetterUnavailable
from orders.model import MalformedOrder, Order
from store.clients import NETWORK_ERRORS, describe


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
        body = json.dumps({"reason": reason, "order": order.to_public()}, sort_keys=True)
        try:
            self._client().send_message(
                QueueUrl=self.queue_url,
                MessageBody=body,
                MessageAttributes={"orderId": {"DataType": "String", "StringValue": order.order_id}},
            )
        except (ClientError, *NETWORK_ERRORS) as error:
            raise DeadLetterUnavailable(f"dead-letter queue: {describe(error)}") from error

    # The redrive's side; it runs outside the API, so AWS errors simply propagate.
    def receive(self, *, max_messages: int, wait_seconds: int, visibility_timeout: int) -> list[DeadLetter]:
        response = self._client().receive_message(
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
        self._client().delete_message(QueueUrl=self.queue_url, ReceiptHandle=letter.receipt_handle)
