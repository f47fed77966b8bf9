"""The shell blocks of the documentation, as the docs tests read them.

Every ```sh block of a page is preceded by one marker, an HTML comment a reader does not see:

- `<!-- run: local -->`: run in a scratch copy of the project's root;
- `<!-- run: moto -->`: run against a moto server the test starts; the block names it
  `http://127.0.0.1:5000`, and the test puts the real address there;
- `<!-- run: starts serve -->`: the test starts `serve` with this command (on a free port);
- `<!-- run: serve -->`: run against that `serve`; the block names it `http://127.0.0.1:3000`,
  and CLIENT_ID, CLIENT_SECRET and API_KEY hold what it printed for the first partner;
- `<!-- not run -->`: not run by the tests; the block's title says why, to the reader.

`exit=N` after the context (`<!-- run: moto exit=1 -->`) expects the block's last command
to exit N; otherwise every command must succeed. A ```text block after a run block, marked
`<!-- output -->`, lists lines the block's output must hold, in order (`...` skips nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
LOCAL, MOTO, SERVE, STARTS_SERVE = "local", "moto", "serve", "starts serve"
CONTEXTS = (LOCAL, MOTO, SERVE, STARTS_SERVE)
MOTO_ADDRESS = "http://127.0.0.1:5000"
SERVE_ADDRESS = "http://127.0.0.1:3000"

_FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
_MARKER = re.compile(
    r"<!--\s*(run:\s*(?P<context>[a-z ]+?)(\s+exit=(?P<exit>\d+))?|not run|output)\s*-->\s*$"
)
_TITLE = re.compile(r'title="([^"]+)"')


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    code: str
    marker: str  # "run", "not run", "output" or "" (none)
    context: str = ""
    exit_status: int = 0
    title: str = ""
    expected: tuple[str, ...] = ()  # lines the output must hold

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of a page, with its marker; each run block with its output block."""
    text = path.read_text(encoding="utf-8")
    found: list[Block] = []
    for fence in _FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        kind = "" if marker is None else marker.group(1).split(":")[0]
        title = _TITLE.search(fence.group(2))
        found.append(
            Block(
                page=path.name,
                line=text.count("\n", 0, fence.start()) + 1,
                language=fence.group(1),
                code=fence.group(3),
                marker=kind,
                context=(marker.group("context") or "").strip() if marker else "",
                exit_status=int(marker.group("exit") or 0) if marker else 0,
                title=title.group(1) if title else "",
            )
        )
    return _with_outputs(found)


def _with_outputs(blocks: list[Block]) -> list[Block]:
    joined: list[Block] = []
    for block in blocks:
        if block.marker == "output" and joined and joined[-1].marker == "run":
            lines = tuple(
                line.strip() for line in block.code.splitlines() if line.strip() not in ("", "...")
            )
            previous = joined.pop()
            joined.append(Block(**{**previous.__dict__, "expected": previous.expected + lines}))
        else:
            joined.append(block)
    return joined


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))
