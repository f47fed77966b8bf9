"""The documentation site builds with `mkdocs build --strict`: a broken link, a missing page or
a page left out of the navigation fails it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.slow


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # And every page became one of the site's
    for page in DOCS.glob("*.md"):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (tmp_path / name).is_file(), name


def test_every_page_is_in_the_navigation() -> None:
    # BaseLoader reads every value as a string and builds no object (the config names a
    # Python function by a tag, which safe_load refuses)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)  # noqa: S506
    listed = {next(iter(entry.values())) for entry in config["nav"]}
    assert listed == {page.name for page in DOCS.glob("*.md")}


def test_the_readme_is_one_screen_and_links_only_existing_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for link in set(re.findall(r"\]\((docs/[^)#]+)", readme)):
        assert (ROOT / link).is_file(), link
