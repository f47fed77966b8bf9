"""Every benchmark, one after the other: `python benchmarks/run.py [--quick]`.

Prints the machine, then each script's figures: the generator's time for all environments,
the Lambda artifact, the handlers' cold start and warm overhead against boto3 by hand, serve's
start-up and the gateway's cost per request, and the load run (149 s in all on a 2-core
machine, 2026-12-05). --quick runs each with fewer samples and a 20-second load. Nothing here
is a test: the figures are printed, not asserted. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = (
    ("generator.py", []),
    ("artifact.py", []),
    ("handlers.py", []),
    ("serve.py", []),
    ("load.py", []),
)
QUICK = (
    ("generator.py", ["--runs", "3"]),
    ("artifact.py", []),
    ("handlers.py", ["--runs", "3", "--requests", "60"]),
    ("serve.py", ["--runs", "2", "--requests", "100"]),
    ("load.py", ["--duration", "20", "--burst", "100"]),
)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, shorter load")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}", flush=True)
    failed = []
    started = time.perf_counter()
    for script, arguments in QUICK if args.quick else FULL:
        print(f"\n== benchmarks/{script} {' '.join(arguments)}".rstrip(), flush=True)
        if subprocess.run([sys.executable, str(HERE / script), *arguments]).returncode:
            failed.append(script)
    print(f"\nall benchmarks in {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
