"""Mutation testing: small deliberate bugs, one at a time, and whether the tests notice.

    python benchmarks/mutation.py [--ref REF] [--limit N] [--seed S] [FILE ...]

Copies the tree at REF (default: the working tree) to a scratch directory, then for each
mutant rewrites one expression of one file there (a comparison flipped, `is None` negated,
`and`/`or` swapped, a number moved by one, a boolean inverted), runs the tests that cover
that file, and counts the mutant killed if they fail. Prints each survivor and the score.
Not a test: it takes minutes. With --ref, the tests of that revision judge its own code, so
two runs compare the test suites of two revisions on the same mutants.
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = (
    "handlers/orders/rules.py",
    "handlers/orders/model.py",
    "handlers/orders/service.py",
    "handlers/orders/pagination.py",
    "handlers/orders/requests.py",
    "generator/parts/monitoring.py",
    "generator/parts/encryption.py",
    "generator/parts/api.py",
)
# The tests that cover each part of the tree (the slow scanners are left out).
TESTS = {
    "handlers": [
        "tests/unit",
        "tests/integration/test_create_order.py",
        "tests/integration/test_update_order.py",
        "tests/integration/test_contract.py",
    ],
    "generator": ["tests/stack", "-k", "not checkov and not lint and not hash_seed"],
}
FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    description: str
    source: str  # the whole mutated file


class _Mutator(ast.NodeTransformer):
    """Applies the index-th possible mutation of a module (counting them on the way)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.seen = 0
        self.applied: tuple[int, str] | None = None

    def _hit(self, node: ast.AST, description: str) -> bool:
        hit = self.seen == self.target
        self.seen += 1
        if hit:
            self.applied = (getattr(node, "lineno", 0), description)
        return hit

    def visit_keyword(self, node: ast.keyword) -> ast.AST:
        # @dataclass(frozen=False) behaves the same unless code assigns to a field: an
        # equivalent mutant, not a gap in the tests.
        return node if node.arg == "frozen" else self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for index, operator in enumerate(node.ops):
            flipped = FLIPS.get(type(operator))
            if flipped and self._hit(node, f"{type(operator).__name__} -> {flipped.__name__}"):
                node.ops[index] = flipped()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        if self._hit(node, f"{type(node.op).__name__} -> {type(other).__name__}"):
            node.op = other
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            replacement: object = not value
        elif isinstance(value, int):
            replacement = value + 1
        else:
            return node
        if self._hit(node, f"{value!r} -> {replacement!r}"):
            return ast.copy_location(ast.Constant(replacement), node)
        return node


def mutants(root: Path, relative: str) -> Iterator[Mutant]:
    source = (root / relative).read_text(encoding="utf-8")
    index = 0
    while True:
        mutator = _Mutator(index)
        tree = mutator.visit(ast.parse(source))
        if mutator.applied is None:
            return
        line, description = mutator.applied
        yield Mutant(relative, line, description, ast.unparse(ast.fix_missing_locations(tree)))
        index += 1


def _copy_tree(ref: str | None, scratch: Path) -> Path:
    tree = scratch / "tree"
    if ref:
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
        ).stdout
        tree.mkdir()
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    else:
        shutil.copytree(
            ROOT,
            tree,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", ".ci-venv", ".tox", "dist", "__pycache__"
            ),
        )
    return tree


def _killed(tree: Path, mutant: Mutant) -> bool:
    target = tree / mutant.path
    original = target.read_text(encoding="utf-8")
    target.write_text(mutant.source, encoding="utf-8")
    try:
        tests = TESTS[mutant.path.split("/")[0]]
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=tree,
            capture_output=True,
            timeout=600,
        )
        return result.returncode != 0
    finally:
        target.write_text(original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES))
    parser.add_argument("--ref", help="a git revision to mutate instead of the working tree")
    parser.add_argument("--limit", type=int, default=60, help="mutants to run (sampled)")
    parser.add_argument("--seed", type=int, default=1, help="the sample's seed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        tree = _copy_tree(args.ref, Path(scratch))
        every = [m for relative in args.files for m in mutants(tree, relative)]
        sample = random.Random(args.seed).sample(every, min(args.limit, len(every)))
        sample.sort(key=lambda m: (m.path, m.line, m.description))
        print(f"{len(every)} mutants in {len(args.files)} files; running {len(sample)}")
        started, survivors = time.monotonic(), []
        for mutant in sample:
            if not _killed(tree, mutant):
                survivors.append(mutant)
                print(f"  survived: {mutant.path}:{mutant.line} {mutant.description}")
    killed = len(sample) - len(survivors)
    print(
        f"score: {killed}/{len(sample)} killed ({100 * killed / max(1, len(sample)):.0f} %), "
        f"{time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
