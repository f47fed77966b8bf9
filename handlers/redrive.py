"""Replay the dead-letter queue into the orders table, idempotently.

    python -m handlers.redrive --queue-url URL --table NAME [--endpoint-url URL]

Each order is written only if its id is not stored yet (an order already stored counts as
done), and its message is deleted only after that. Messages that cannot be stored (the table
is down, or refuses that one order), or that are not orders (say, Lambda's own
asynchronous-invocation dead letters), stay in the queue and are listed with the reason; one
bad message never stops the run. Exit status 0 when nothing was left behind, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from decimal import DecimalException
from typing import Sequence

from botocore.exceptions import ClientError

# The handlers import each other as top-level names (Lambda's zip root is this folder);
# run from a checkout as `python -m handlers.redrive`, this folder must be on the path too.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from orders.errors import OrderAlreadyExists, StoreUnavailable  # noqa: E402
from orders.model import MalformedOrder  # noqa: E402
from store.clients import AwsClients, describe, error_code  # noqa: E402
from store.dead_letters import DeadLetterQueue  # noqa: E402
from store.orders_table import REFUSED_REQUEST_CODES, OrdersTable  # noqa: E402

BATCH_SIZE = 10  # SQS's maximum per receive

# What one order can fail with that says nothing about the next: DynamoDB refusing the request
# (ClientError with a REFUSED_REQUEST_CODES code: outages arrive as StoreUnavailable), boto3's
# serializer refusing a number (more than 38 digits: decimal.Inexact/Rounded, Clamped...), or
# a document that breaks an assumption of the code.
_ORDER_REFUSED = (ClientError, DecimalException, ValueError, KeyError)


@dataclass(frozen=True)
class Failure:
    order_id: str
    reason: str


@dataclass
class Summary:
    received: int = 0
    stored: int = 0
    already_stored: int = 0
    not_orders: list[str] = field(default_factory=list)  # message ids
    failed: list[Failure] = field(default_factory=list)

    @property
    def left(self) -> int:
        return len(self.not_orders) + len(self.failed)

    def report(self) -> str:
        lines = [
            f"received {self.received}, stored {self.stored}, "
            f"already stored {self.already_stored}, left in the queue {self.left}"
        ]
        lines += [f"  not an order (left): message {message_id}" for message_id in self.not_orders]
        lines += [
            f"  could not store (left): order {failure.order_id!r}: {failure.reason}"
            for failure in self.failed
        ]
        return "\n".join(lines)


def redrive(
    queue: DeadLetterQueue,
    table: OrdersTable,
    *,
    wait_seconds: int = 1,
    visibility_timeout: int = 60,
) -> Summary:
    """Drain the queue once. A message left behind stays invisible for visibility_timeout
    seconds, so this run does not see it again and stops at the first empty receive."""
    summary = Summary()
    while True:
        letters = queue.receive(
            max_messages=BATCH_SIZE, wait_seconds=wait_seconds, visibility_timeout=visibility_timeout
        )
        if not letters:
            return summary
        for letter in letters:
            summary.received += 1
            try:
                order = letter.order()
            except MalformedOrder:
                summary.not_orders.append(letter.message_id)
                continue
            try:
                table.put_new(order)
                summary.stored += 1
            except OrderAlreadyExists:
                summary.already_stored += 1
            except StoreUnavailable as failure:
                summary.failed.append(Failure(order.order_id, failure.reason))
                continue
            except _ORDER_REFUSED as error:
                if isinstance(error, ClientError) and error_code(error) not in REFUSED_REQUEST_CODES:
                    raise  # not about this order (OrdersTable maps outages to StoreUnavailable)
                summary.failed.append(Failure(order.order_id, _refusal(error)))
                continue
            queue.delete(letter)


def _refusal(error: Exception) -> str:
    if isinstance(error, ClientError):
        return describe(error)
    if isinstance(error, DecimalException):
        return f"a number DynamoDB cannot store exactly ({type(error).__name__})"
    return f"not a storable order ({type(error).__name__}: {error})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handlers.redrive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue-url", required=True, help="the dead-letter queue's URL")
    parser.add_argument("--table", required=True, help="the orders table's name")
    parser.add_argument("--endpoint-url", help="one endpoint for SQS and DynamoDB (a local stack)")
    parser.add_argument("--wait-seconds", type=int, default=1, help="SQS long-poll wait per receive")
    parser.add_argument(
        "--visibility-timeout", type=int, default=60, help="seconds a message left behind stays hidden"
    )
    parser.add_argument(
        "--retry-attempts", type=int, default=3, help="retries per AWS call (botocore standard mode)"
    )
    args = parser.parse_args(argv)

    clients = AwsClients(endpoint_url=args.endpoint_url)
    summary = redrive(
        DeadLetterQueue(lambda: clients.get("sqs", retry_attempts=args.retry_attempts), args.queue_url),
        OrdersTable(lambda: clients.get("dynamodb", retry_attempts=args.retry_attempts), args.table),
        wait_seconds=args.wait_seconds,
        visibility_timeout=args.visibility_timeout,
    )
    print(summary.report())
    return 1 if summary.left else 0


if __name__ == "__main__":
    sys.exit(main())
