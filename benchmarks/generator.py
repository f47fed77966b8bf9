"""How long `python -m generator` takes for every environment, against the import of the two
libraries it is written with (prints figures; not a test).

python benchmarks/generator.py [--runs N]

Each run is a fresh interpreter, as a user starts it; the generator's runs and the baseline's
(`python -c 'import troposphere, awacs'`) alternate, so a busy moment of the machine falls on
both. The ratio of the medians is the figure to watch: what the generator adds to the
libraries' own start. Both run once first, untimed, with bytecode caching on whatever the
caller's environment says (PYTHONDONTWRITEBYTECODE is dropped): a user's second run finds its
`.pyc` files, as the libraries' own are found from their install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENVIRONMENT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from generator.stack.build import render_anew
    from generator.stack.environments import ENVIRONMENTS

    generator, baseline = [], []
    with tempfile.TemporaryDirectory() as out:
        emit = [sys.executable, "-m", "generator", "--out", out]
        libraries = [sys.executable, "-c", "import troposphere, awacs"]
        timed(emit), timed(libraries)
        for _ in range(args.runs):
            generator.append(timed(emit))
            baseline.append(timed(libraries))
    in_process = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for environment in ENVIRONMENTS.values():
            render_anew(environment)
        in_process.append(time.perf_counter() - start)

    median = statistics.median(generator)
    base = statistics.median(baseline)
    print(f"python -m generator, all environments ({args.runs} runs, fresh interpreter each):")
    print(
        f"  median {median * 1000:.0f} ms, min {min(generator) * 1000:.0f} ms, "
        f"max {max(generator) * 1000:.0f} ms"
    )
    print(f"python -c 'import troposphere, awacs': median {base * 1000:.0f} ms")
    print(f"  ratio: {median / base:.2f}x the libraries' import")
    print(
        "build + render of all environments in one process: "
        f"median {statistics.median(in_process) * 1000:.1f} ms"
    )
    for name, environment in ENVIRONMENTS.items():
        rendered = render_anew(environment)
        resources = len(rendered.template["Resources"])
        print(f"  {name}: {resources} resources, {len(rendered.text)} bytes")


if __name__ == "__main__":
    main()
