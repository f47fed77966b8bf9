"""How long `python -m generator` takes for every environment (prints figures; not a test).

python benchmarks/generator.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from generator.stack.build import build_template, render
    from generator.stack.environments import ENVIRONMENTS

    with tempfile.TemporaryDirectory() as out:
        wall = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "--out", out],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            wall.append(time.perf_counter() - start)
    in_process = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for environment in ENVIRONMENTS.values():
            render(environment)
        in_process.append(time.perf_counter() - start)

    print(f"python -m generator, all environments ({args.runs} runs, fresh interpreter each):")
    print(
        f"  median {statistics.median(wall) * 1000:.0f} ms, "
        f"min {min(wall) * 1000:.0f} ms, max {max(wall) * 1000:.0f} ms"
    )
    print(
        "build + render of all environments in one process: "
        f"median {statistics.median(in_process) * 1000:.1f} ms"
    )
    for name, environment in ENVIRONMENTS.items():
        template = build_template(environment)
        print(f"  {name}: {len(template.resources)} resources, {len(render(environment))} bytes")


if __name__ == "__main__":
    main()
