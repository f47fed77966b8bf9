"""What a command says when an endpoint answers something botocore cannot parse (an emulator's
JSON error to an XML API, a proxy's HTML page): one line that says what the endpoint said."""

from __future__ import annotations

import pytest
from botocore.parsers import ResponseParserError

from generator.errors import UserError
from generator.release.connection import reported

# The shape of botocore's own message (botocore/parsers.py): its first line, then the answer as
# a bytes literal.
UNPARSABLE = (
    "Unable to parse response (syntax error: line 1, column 0), invalid XML received. "
    "Further retries may succeed:\n"
)


def said(answer: bytes) -> str:
    with pytest.raises(UserError) as raised, reported("executing the change set"):
        raise ResponseParserError(UNPARSABLE + repr(answer))
    return str(raised.value)


def test_a_json_error_is_told_as_its_type_and_message() -> None:
    answer = (
        b'{"__type": "BadRequestException", "message": "The REST API doesn\'t contain any methods"}'
    )
    assert said(answer) == (
        "executing the change set: the endpoint answered "
        "BadRequestException: The REST API doesn't contain any methods"
    )


def test_an_html_page_is_quoted_on_one_line_and_cut() -> None:
    page = b"<html>\n<body>502 Bad Gateway</body>\n</html>" + b"x" * 400
    text = said(page)
    assert text.startswith(
        "executing the change set: the endpoint answered <html> <body>502 Bad Gateway</body>"
    )
    assert "\n" not in text
    assert text.endswith("...")
