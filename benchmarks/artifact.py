"""The Lambda artifact: its size, its file count and how long a build takes (prints figures).

    python benchmarks/artifact.py

Builds the zip twice into a scratch folder: the first build installs the pinned dependencies
for the Lambda platform (pip, from the package index), the second reuses them, as `package`
does on a machine that has built before. Both zips must be the same bytes.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from generator.release.packaging import build_artifact
    from generator.stack.function_specs import PYTHON_VERSION, WHEEL_PLATFORM

    with tempfile.TemporaryDirectory() as scratch:
        timings, artifacts = [], []
        for attempt in ("first", "second"):
            started = time.perf_counter()
            artifact = build_artifact(Path(scratch) / attempt, cache_dir=Path(scratch) / "deps")
            timings.append(time.perf_counter() - started)
            artifacts.append(artifact)
        with zipfile.ZipFile(artifacts[0].path) as archive:
            entries = archive.infolist()
        unpacked = sum(entry.file_size for entry in entries)
        same = artifacts[0].sha256 == artifacts[1].sha256
        print(f"Lambda artifact (python {PYTHON_VERSION}, {WHEEL_PLATFORM}):")
        print(
            f"   {artifacts[0].size:,} bytes zipped, {unpacked:,} unpacked, {len(entries)} files"
            f" (Lambda's limits: 50 MB zipped, 250 MB unpacked)"
        )
        print(
            f"   build {timings[0]:.1f} s with the dependencies' install, {timings[1]:.2f} s"
            f" reusing them; the two zips are {'the same bytes' if same else 'DIFFERENT'}"
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
