"""deploy on a terminal (a pseudo-terminal here): it asks before executing, and follows the
deploy on a single updating line. The answer is typed when the question shows; the deadline
only keeps a broken run from hanging the suite (nothing here measures time)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from typing import Any

import pytest

from generator.release.stack_events import CLEAR_LINE
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.release.commands import Commands, stack_status
from tests.support.cli import ROOT

QUESTION = b"[y/N] "
DEADLINE_SECONDS = 300


def on_terminal(arguments: list[str], answer: str) -> tuple[int, str]:
    """Run `python -m generator ARGUMENTS` on a pseudo-terminal, answer the question once it
    is asked; (exit status, everything the terminal received)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *arguments],
        cwd=ROOT,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    received = b""
    answered = False
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            received += chunk
            if not answered and received.endswith(QUESTION):
                os.write(controller, answer.encode() + b"\n")
                answered = True
        status = process.wait(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return status, received.decode(errors="replace")


def test_declining_on_a_terminal_deploys_nothing(commands: Commands, cloudformation: Any) -> None:
    # Given a stack that does not exist, deployed from a terminal without --yes
    arguments = ["deploy", *commands.arguments("terminal-declined", "dev", None)]

    # When the question is answered "n"
    status, screen = on_terminal(arguments, "n")

    # Then nothing is deployed, and neither the change set nor the stack holding it remain
    assert status == 1, screen
    assert "Deploy these changes to stack terminal-declined? [y/N] " in screen
    assert "Not deployed: the change set is deleted." in screen
    assert "Executing" not in screen
    with pytest.raises(cloudformation.exceptions.ClientError, match="does not exist"):
        cloudformation.describe_stacks(StackName="terminal-declined")


def test_confirming_on_a_terminal_deploys_with_a_progress_line(
    commands: Commands, cloudformation: Any
) -> None:
    # Given a stack that does not exist, deployed from a terminal without --yes
    arguments = ["deploy", *commands.arguments("terminal-confirmed", "dev", None)]

    # When the question is answered "y"
    status, screen = on_terminal(arguments, "y")

    # Then the stack is deployed, followed on one line rewritten in place (resources done of
    # the change set's resources, elapsed time, latest event) rather than a line per event
    assert status == 0, screen
    assert stack_status(cloudformation, "terminal-confirmed") == "CREATE_COMPLETE"
    total = len(render(ENVIRONMENTS["dev"]).template["Resources"])
    progress = re.findall(re.escape(CLEAR_LINE) + rf"(\d+)/{total} resources  \d+:\d\d  ", screen)
    assert progress, screen
    assert not re.search(r"\d\d:\d\d:\d\d  CREATE_COMPLETE", screen)  # no line-per-event form
    assert "Stack terminal-confirmed is CREATE_COMPLETE." in screen
