"""How long `python -m generator` takes for every environment, against the import of the two
libraries it is written with (prints figures; not a test).

python benchmarks/generator.py [--runs N]

Each run is a fresh interpreter, as a user starts it; the generator's runs and the baseline's
(`python -c 'import troposphere, awacs'`) alternate, so a busy moment of the machine falls on
both. The ratio of the medians is the figure to watch: what the generator adds to the
libraries' own start.
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


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from generator.stack.build import build_template
    from generator.stack.environments import ENVIRONMENTS

    generator, baseline = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.runs):
            generator.append(timed([sys.executable, "-m", "generator", "--out", out]))
            baseline.append(timed([sys.executable, "-c", "import troposphere, awacs"]))
    in_process = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for environment in ENVIRONMENTS.values():
            build_template(environment).to_json(indent=2, sort_keys=True)
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
        template = build_template(environment)
        text = template.to_json(indent=2, sort_keys=True)
        print(f"  {name}: {len(template.resources)} resources, {len(text) + 1} bytes")


if __name__ == "__main__":
    main()
