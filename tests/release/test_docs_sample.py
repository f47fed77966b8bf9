"""The deploying page's preview sample is what the command prints for that change set."""

from __future__ import annotations

import re

from tests.release.samples import sample_preview
from tests.support.cli import ROOT

SAMPLE = re.compile(
    r"^<!-- preview sample:.*?-->\n```text\n(.*?)^```\n<!-- end of the preview sample -->$",
    re.M | re.S,
)


def test_the_deploying_page_shows_the_preview_as_printed() -> None:
    # Given the page's sample and the preview rendered from the same AWS-shaped answer
    match = SAMPLE.search((ROOT / "docs" / "deploying.md").read_text(encoding="utf-8"))
    assert match, "docs/deploying.md has no marked preview sample"
    # Then they are the same text
    assert match.group(1) == sample_preview()
