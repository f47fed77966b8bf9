"""The README's test command, run several times in a row on a fresh clone while CPU-bound
processes compete for the cores: `python benchmarks/stability.py [--runs 3] [--hogs 2]`.

A suite that passes only on a quiet machine fails in CI at random; this is how to show it
does not. It clones the committed HEAD of this checkout into a temporary directory, makes a
fresh virtual environment there, starts the hogs (`python -c 'while True: pass'`), runs the
command --runs times, stops the hogs, and prints each run's time and pytest's summary. Exit
status 0 only if every run passed. Everything runs on 127.0.0.1, like the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.docs.test_readme import the_two_commands  # noqa: E402

SUMMARY = re.compile(r"^=+ (.*\bin [\d.]+s.*) =+$", re.M)


@contextlib.contextmanager
def cpu_hogs(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """count processes that each keep a core busy until the block ends."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def fresh_clone(directory: Path) -> Path:
    clone = directory / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    venv.create(clone / ".venv", with_pip=True)
    return clone


def run_once(clone: Path, command: str, log: Path) -> tuple[int, float, str]:
    """(exit status, seconds, pytest's summary line) of the command in the clone's venv."""
    environment = {
        **os.environ,
        "VIRTUAL_ENV": str(clone / ".venv"),
        "PATH": f"{clone / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    environment.pop("PYTHONPATH", None)
    started = time.perf_counter()
    with log.open("w") as output:
        status = subprocess.run(
            ["bash", "-c", command],
            cwd=clone,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    seconds = time.perf_counter() - started
    summaries = SUMMARY.findall(log.read_text(errors="replace"))
    return status, seconds, summaries[-1] if summaries else "(no pytest summary)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs in a row (default 3)")
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes (default 2)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the clone and the logs, and say where"
    )
    args = parser.parse_args(argv)
    command = the_two_commands()[1]
    directory = Path(tempfile.mkdtemp(prefix="stability-"))
    clone = fresh_clone(directory)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    print(f"clone of {head} in {clone}; {args.hogs} CPU hogs; command: {command}", flush=True)
    passed = 0
    with cpu_hogs(args.hogs):
        for run in range(1, args.runs + 1):
            log = directory / f"run-{run}.log"
            status, seconds, summary = run_once(clone, command, log)
            passed += status == 0
            verdict = "passed" if status == 0 else f"FAILED (exit {status}; log {log})"
            print(f"run {run}: {verdict} in {seconds:.0f} s: {summary}", flush=True)
    print(f"{passed} of {args.runs} runs green")
    if args.keep or passed != args.runs:
        print(f"kept: {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
