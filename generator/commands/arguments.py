"""Arguments several commands share, with argparse types that turn a bad value into a usage
error (one line, exit 2) before anything runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from generator.release.publishing import S3Location


def endpoint_url(value: str) -> str:
    """argparse type of --endpoint-url: an http(s) URL, so botocore never sees a bare host."""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an endpoint URL: expected http(s)://HOST[:PORT], "
            "e.g. http://127.0.0.1:5000"
        )
    return value


def add_connection_arguments(parser: argparse.ArgumentParser, *, endpoint_help: str) -> None:
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
    )
    parser.add_argument("--endpoint-url", metavar="URL", type=endpoint_url, help=endpoint_help)


def add_template_file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template-file",
        metavar="FILE",
        type=Path,
        help="the template to deploy (default: templates/food-delivery-<env>.json)",
    )


def s3_location(value: str) -> S3Location:
    """argparse type of s3://BUCKET[/PREFIX]."""
    from generator.release.publishing import S3Location

    try:
        return S3Location.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
