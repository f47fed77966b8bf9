"""Replay the dead-letter queue into the orders table, idempotently.

    python -m handlers.redrive --queue-url URL --table NAME [--region R] [--endpoint-url URL]

Each order is written only if its id is not stored yet (an order already stored counts as
done), and its message is deleted only after that. Messages that cannot be stored (the table
is down, or refuses that one order), or that are not orders (say, Lambda's own
asynchronous-invocation dead letters), stay in the queue and are listed with the reason; one
bad message never stops the run. Messages another reader holds (or that are delayed) are not
seen by this run: they are counted as in flight.

Exit status: 0 when the queue is empty; 1 when messages remain (left behind, or in flight:
run again once they are visible); 2 when the run could not start or the queue could not be
used (bad arguments, no region or credentials, an unreachable endpoint, a wrong queue URL).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlparse

# The handlers import each other as top-level names (Lambda's zip root is this folder);
# run from a checkout as `python -m handlers.redrive`, this folder must be on the path too.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from orders.errors import (  # noqa: E402
    DeadLetterUnavailable,
    OrderAlreadyExists,
    OrderRefused,
    StoreUnavailable,
)
from orders.model import MalformedOrder  # noqa: E402
from store.clients import AwsClients  # noqa: E402
from store.dead_letters import DeadLetterQueue  # noqa: E402
from store.orders_table import OrdersTable  # noqa: E402

BATCH_SIZE = 10  # SQS's maximum per receive
EMPTY, MESSAGES_REMAIN, COULD_NOT_RUN = 0, 1, 2


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
    # Messages this run did not see: held by another reader, or delayed.
    in_flight: int = 0
    # Why the run stopped early: the queue itself could not be used.
    queue_failure: str | None = None

    @property
    def left(self) -> int:
        return len(self.not_orders) + len(self.failed)

    @property
    def remaining(self) -> int:
        return self.left + self.in_flight

    def report(self) -> str:
        lines = [
            (
                f"received {self.received}, stored {self.stored}, "
                f"already stored {self.already_stored}, left in the queue {self.left}, "
                f"in flight {self.in_flight}"
            )
        ]
        lines += [f"  not an order (left): message {message_id}" for message_id in self.not_orders]
        lines += [
            f"  could not store (left): order {failure.order_id!r}: {failure.reason}"
            for failure in self.failed
        ]
        if self.in_flight:
            lines.append(
                f"  {self.in_flight} message(s) in flight: received by another reader (or an "
                "earlier run) and not yet visible again, or delayed; run again once their "
                "visibility timeout has passed"
            )
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
    try:
        _drain(queue, table, summary, wait_seconds, visibility_timeout)
        # What this run left behind is invisible too (its own visibility timeout): not in flight.
        summary.in_flight = max(0, queue.backlog().in_flight - summary.left)
    except DeadLetterUnavailable as failure:
        summary.queue_failure = failure.reason
    return summary


def _drain(
    queue: DeadLetterQueue,
    table: OrdersTable,
    summary: Summary,
    wait_seconds: int,
    visibility_timeout: int,
) -> None:
    while True:
        letters = queue.receive(
            max_messages=BATCH_SIZE,
            wait_seconds=wait_seconds,
            visibility_timeout=visibility_timeout,
        )
        if not letters:
            return
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
            except (StoreUnavailable, OrderRefused) as failure:
                summary.failed.append(Failure(order.order_id, failure.reason))
                continue
            queue.delete(letter)


def _queue_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or not parsed.path.strip("/"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a queue URL: expected https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"
        )
    return value


def _endpoint_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an endpoint URL: expected http(s)://HOST[:PORT]"
        )
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(COULD_NOT_RUN, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m handlers.redrive",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 the queue is empty; 1 messages remain; 2 the run could not start.",
    )
    parser.add_argument(
        "--queue-url", required=True, type=_queue_url, help="the dead-letter queue's URL"
    )
    parser.add_argument("--table", required=True, help="the orders table's name")
    parser.add_argument(
        "--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)"
    )
    parser.add_argument(
        "--endpoint-url",
        type=_endpoint_url,
        help="one endpoint for SQS and DynamoDB (a local stack)",
    )
    parser.add_argument(
        "--wait-seconds", type=int, default=1, help="SQS long-poll wait per receive"
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=60,
        help="seconds a message left behind stays hidden",
    )
    parser.add_argument(
        "--retry-attempts",
        type=int,
        default=3,
        help="retries per AWS call (botocore standard mode)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION, which Lambda and many CI systems set.
    clients = AwsClients(
        endpoint_url=args.endpoint_url, region_name=args.region or os.environ.get("AWS_REGION")
    )
    if not clients.region():
        return _could_not_run(
            "no AWS region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION"
        )
    if not clients.has_credentials():
        return _could_not_run(
            "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    queue = DeadLetterQueue(
        lambda: clients.get("sqs", retry_attempts=args.retry_attempts), args.queue_url
    )
    table = OrdersTable(
        lambda: clients.get("dynamodb", retry_attempts=args.retry_attempts), args.table
    )
    summary = redrive(
        queue, table, wait_seconds=args.wait_seconds, visibility_timeout=args.visibility_timeout
    )
    if summary.queue_failure is not None:
        if summary.received:
            print(summary.report())
        return _could_not_run(
            f"cannot use the queue {args.queue_url} ({summary.queue_failure}): "
            "check --queue-url, --region and the credentials"
        )
    print(summary.report())
    return MESSAGES_REMAIN if summary.remaining else EMPTY


def _could_not_run(message: str) -> int:
    print(f"python -m handlers.redrive: error: {message}", file=sys.stderr)
    return COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
