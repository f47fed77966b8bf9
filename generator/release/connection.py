"""boto3 for the commands that call AWS: a session with a region, and AWS failures as one-line
errors.

The region comes from --region, then AWS_REGION, then what boto3 itself reads
(AWS_DEFAULT_REGION, the profile's config). boto3 ignores AWS_REGION; Lambda and many CI
systems set only that one, so the commands honour it too.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.errors import UserError

if TYPE_CHECKING:
    import boto3
    from botocore.exceptions import ClientError

NO_REGION = "no AWS region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION"
NO_CREDENTIALS = (
    "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or run `aws configure`"
)


def session(region: str | None = None) -> boto3.session.Session:
    """A boto3 session with a region (UserError if none is configured anywhere)."""
    import boto3

    chosen = boto3.session.Session(region_name=region or os.environ.get("AWS_REGION") or None)
    if not chosen.region_name:
        raise UserError(NO_REGION)
    return chosen


@contextlib.contextmanager
def reported(action: str) -> Iterator[None]:
    """Turn what boto3 raises inside into a UserError that starts with `action`."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )
    from botocore.parsers import ResponseParserError

    try:
        yield
    except NoCredentialsError as error:
        raise UserError(f"{action}: {NO_CREDENTIALS}") from error
    except NoRegionError as error:
        raise UserError(f"{action}: {NO_REGION}") from error
    except EndpointConnectionError as error:
        raise UserError(
            f"{action}: cannot reach {error.kwargs.get('endpoint_url', 'the endpoint')}"
        ) from error
    except ClientError as error:
        raise UserError(f"{action}: {client_error_text(error)}") from error
    except BotoCoreError as error:
        raise UserError(f"{action}: {_first_line(str(error))}") from error
    except ResponseParserError as error:
        raise UserError(f"{action}: the endpoint answered {_quoted_answer(error)}") from error


def client_error_text(error: ClientError) -> str:
    """`Code: message`, on one line."""
    details = error.response.get("Error", {})
    code = details.get("Code") or "ClientError"
    message = details.get("Message") or str(error)
    return f"{code}: {_first_line(message)}"


def _quoted_answer(error: Exception) -> str:
    """What an answer botocore could not parse said, on one line (botocore quotes it, as a
    bytes literal, after its own first line): an emulator's JSON error as `type: message`, or
    the start of an HTML error page."""
    _, _, answer = str(error).partition("\n")
    answer = answer or str(error)
    with contextlib.suppress(ValueError, SyntaxError):
        quoted = ast.literal_eval(answer.strip())
        if isinstance(quoted, bytes):
            answer = quoted.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        body = json.loads(answer)
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            kind = str(body.get("__type") or body.get("code") or "").rpartition("#")[2]
            answer = f"{kind}: {body['message']}" if kind else body["message"]
    text = " ".join(answer.split())
    return text[:300] + ("..." if len(text) > 300 else "")


def _first_line(message: str) -> str:
    # botocore quotes an unparsable answer (an HTML error page) after the first line; the
    # first line says what failed, and the commands' errors are one line.
    lines = message.strip().splitlines()
    return lines[0] if lines else message
