"""`python -m generator cost`: a monthly cost estimate of one environment's stack, from its
template and a dated table of us-east-1 prices."""

from __future__ import annotations

import argparse
import json
import re
import sys

from generator.cost.prices import PRICE_REGION, PRICES_AS_OF
from generator.stack.environments import ENVIRONMENTS

DEFAULT_ENVIRONMENT = "prod"
# The workload the stack is sized for.
DEFAULT_ORDERS_PER_DAY = 3_500
MAX_ORDERS_PER_DAY = 1_000_000_000
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _orders_per_day(value: str) -> int:
    try:
        orders = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of orders: {value!r}") from None
    if not 0 <= orders <= MAX_ORDERS_PER_DAY:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and {MAX_ORDERS_PER_DAY:,}, not {orders:,}"
        )
    return orders


def _region(value: str) -> str:
    if not REGION.match(value):
        raise argparse.ArgumentTypeError(f"not an AWS region name: {value!r} (e.g. eu-west-1)")
    return value


NAME = "cost"
HELP = "a monthly cost estimate of a stack, line by line, at us-east-1 prices"
DESCRIPTION = (
    "Estimate what one environment's stack costs a month at a workload: one line per "
    "billed item (API Gateway, Lambda, DynamoDB, KMS, CloudWatch, WAF, X-Ray, SQS, SNS, "
    "SSM), each computed from the template's own values and the assumptions printed "
    "below the table, and the orders table billed provisioned and on-demand. Prices "
    f"are public {PRICE_REGION} prices as of {PRICES_AS_OF}; another --region is "
    "noted, not priced."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        default=DEFAULT_ENVIRONMENT,
        help=f"environment of the stack (default: {DEFAULT_ENVIRONMENT})",
    )
    parser.add_argument(
        "--orders-per-day",
        metavar="N",
        type=_orders_per_day,
        default=DEFAULT_ORDERS_PER_DAY,
        help=f"orders a day (default: {DEFAULT_ORDERS_PER_DAY:,}, the workload it is sized for)",
    )
    parser.add_argument(
        "--region",
        metavar="R",
        type=_region,
        default=PRICE_REGION,
        help=(
            f"region the stack runs in (default: {PRICE_REGION}); the prices stay "
            f"{PRICE_REGION}'s, and the estimate says so"
        ),
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON (money as strings) instead of a table"
    )


def run(args: argparse.Namespace) -> int:
    from generator.cost import report
    from generator.cost.estimate import estimate
    from generator.stack.build import render

    environment = ENVIRONMENTS[args.env]
    monthly = estimate(
        render(environment).template,
        environment=environment.name,
        orders_per_day=args.orders_per_day,
        region=args.region,
    )
    if args.json:
        sys.stdout.write(json.dumps(report.to_data(monthly), indent=2) + "\n")
    else:
        sys.stdout.write(report.to_text(monthly))
    return 0
