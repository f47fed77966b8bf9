"""Every command the documentation shows runs as written: each page's marked shell blocks, in
order, in one shell (a variable set in one block is there in the next), against moto or `serve`
started on 127.0.0.1 by the test, with only the endpoint and the credentials put in. Their
exit status and the output the page shows are checked. A block that cannot run here says why,
to the reader (tests/docs/blocks.py has the markers)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.blocks import (
    CONTEXTS,
    MOTO,
    MOTO_ADDRESS,
    SERVE,
    SERVE_ADDRESS,
    STARTS_SERVE,
    Block,
    pages,
    read_blocks,
)
from tests.localapi.conftest import A, Served, start_serve
from tests.support.aws import FAKE_CREDENTIALS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHELL = frozenset({"sh", "bash", "shell", "console"})
# What a checkout's root holds that the commands read or write.
PROJECT_FILES = (
    "setup.py",
    "mkdocs.yml",
    "README.md",
    ".cfnlintrc.yaml",
    "docs",
    "templates",
    "handlers",
)
END = "@@END"
# The commands that build the Lambda zip.
ZIP_BUILDERS = ("package", "diff", "deploy")


def _runnable(page: Path) -> list[Block]:
    return [block for block in read_blocks(page) if block.marker == "run"]


def test_every_shell_block_is_run_or_says_why_not() -> None:
    run = not_run = 0
    for page in pages():
        for block in read_blocks(page):
            if block.language not in SHELL:
                continue
            assert block.marker in ("run", "not run"), f"{block.where}: unmarked shell block"
            if block.marker == "run":
                assert block.context in CONTEXTS, f"{block.where}: unknown context"
                run += 1
            else:
                assert block.title, f"{block.where}: a block not run must say why (its title)"
                not_run += 1
    # (the counts are the note's: every marked block, run or not)
    print(f"shell blocks: {run} run, {not_run} not run")
    assert run > 0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of the project's root: the commands may write there."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    return copy


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """A moto server of the page's own (a page's commands create stacks and buckets)."""
    from moto.server import ThreadedMotoServer

    from tests.support.aws import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _substituted(text: str, moto: str | None, served: Served | None) -> str:
    if moto is not None:
        text = text.replace(MOTO_ADDRESS, moto)
    if served is not None:
        text = text.replace(SERVE_ADDRESS, served.url)
    return text


@pytest.mark.parametrize(
    "page", [page for page in pages() if _runnable(page)], ids=lambda page: page.name
)
def test_the_commands_of_a_page_run_as_written(
    page: Path, project: Path, request: pytest.FixtureRequest
) -> None:
    blocks = _runnable(page)
    if any(f"generator {command}" in b.code for b in blocks for command in ZIP_BUILDERS):
        # They build the Lambda zip, whose bytecode the runtime's Python compiles.
        request.getfixturevalue("lambda_python")
    moto = (
        request.getfixturevalue("moto_endpoint") if any(b.context == MOTO for b in blocks) else None
    )
    environment = {
        **os.environ,
        **FAKE_CREDENTIALS,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
    }
    environment.pop("AWS_ENDPOINT_URL", None)  # the blocks name their endpoint themselves
    served: Served | None = None
    script = ["set -o pipefail"]
    try:
        for index, block in enumerate(blocks):
            if block.context == STARTS_SERVE:
                served = _start_serve(block)
                partner = served.partners[A]
                environment.update(
                    CLIENT_ID=partner.client_id,
                    CLIENT_SECRET=partner.client_secret,
                    API_KEY=partner.api_key,
                )
                _assert_holds(block, "\n".join(served.lines), moto, served)
                continue
            if block.context == SERVE:
                assert served is not None, f"{block.where}: no block started serve before"
            file = project / f".block-{index}.sh"
            file.write_text(_substituted(block.code, moto, served), encoding="utf-8")
            if block.exit_status == 0:
                script.append(f"set -e; source {shlex.quote(str(file))}; set +e")
                script.append(f"echo '{END} {index} 0'")
            else:
                script.append(f"set +e; source {shlex.quote(str(file))}")
                script.append(f'echo "{END} {index} $?"')
        result = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # in the order the page's reader sees them
            text=True,
            timeout=600,
        )
    finally:
        if served is not None:
            served.stop()
    _check(blocks, result.stdout, moto, served)


def _start_serve(block: Block) -> Served:
    words = shlex.split(block.code.strip())
    assert words[:4] == ["python", "-m", "generator", "serve"], block.where
    return start_serve(*words[4:])


def _check(blocks: list[Block], output: str, moto: str | None, served: Served | None) -> None:
    """Each block's part of the output: it ended with the status expected, and holds the
    lines the page shows."""
    start = 0
    for index, block in enumerate(blocks):
        if block.context == STARTS_SERVE:
            continue
        marker = f"{END} {index} "
        end = output.find(marker, start)
        assert end >= 0, (
            f"{block.where} failed (a command exited non-zero):\n{output[start:][-3000:]}"
        )
        line_end = output.find("\n", end)
        status = int(output[end + len(marker) : line_end if line_end >= 0 else None])
        part = output[start:end]
        assert status == block.exit_status, f"{block.where} exited {status}:\n{part[-3000:]}"
        _assert_holds(block, part, moto, served)
        start = line_end + 1


def _assert_holds(block: Block, output: str, moto: str | None, served: Served | None) -> None:
    position = 0
    for expected in block.expected:
        line = _substituted(expected, moto, served)
        found = output.find(line, position)
        assert found >= 0, (
            f"{block.where}: the output has no {line!r} (in order):\n{output[-3000:]}"
        )
        position = found + len(line)
