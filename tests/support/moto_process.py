"""moto's server in a process of its own, with the test-only corrections of moto_patches:
`python -m tests.support.moto_process`. It listens on a free port of 127.0.0.1, writes the port
on a line of its stdout, and serves until its stdin closes.

A process of its own gives a test moto's state and settings to itself: IAM enforcement, once
turned on (POST /moto-api/reset-auth), applies to every request the process serves, and moto's
backends are shared by every server of a process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

from tests.support.cli import ROOT

LOOPBACK = "127.0.0.1"


def main() -> int:
    from moto.server import ThreadedMotoServer

    from tests.support import moto_patches

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with (
        moto_patches.outputs_after_change_sets(),
        moto_patches.stack_arns_in_iam_checks(),
        moto_patches.inline_policies_as_text(),
        moto_patches.head_bucket_as_list_bucket(),
    ):
        server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
        server.start()
        _, port = server.get_host_and_port()
        print(port, flush=True)
        sys.stdin.read()  # returns at end of file: the test is done
        server.stop()
    return 0


@contextlib.contextmanager
def moto_process() -> Iterator[str]:
    """Start one; yields its endpoint URL, and stops it (closing its stdin) afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.moto_process"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"moto's process did not start (it wrote {port!r})")
        yield f"http://{LOOPBACK}:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
