"""ruff (lint and format) and strict mypy pass on the whole tree, and the configurations that
run them elsewhere (pre-commit, the GitHub workflow, tox) are valid and run the same things."""

from __future__ import annotations

import ast
import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.docs.test_readme import the_two_commands

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_the_generator_and_the_handlers() -> None:
    # The files and strictness come from pyproject.toml: this only runs it.
    result = _run(sys.executable, "-m", "mypy", "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": f"{root / 'handlers'}{os.pathsep}{root}"}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_import_contract_is_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        # building the template must not depend on what reads it
        ("generator/stack/names.py", "from generator.documents import diagram", "The CLI on top"),
        ("generator/template_view/references.py", "import boto3", "standard library"),
        ("generator/cost/units.py", "from generator.stack import build", "vocabulary"),
        ("localapi/throttling.py", "from generator.stack import names", "local API"),
        ("handlers/store/clients.py", "import generator", "Lambda code"),
    ],
)
def test_a_wrong_import_fails_with_the_contract_name(
    tmp_path: Path, module: str, wrong_import: str, contract: str
) -> None:
    # Given a copy of the code with one import that breaks a layer
    for name in ("generator", "localapi", "handlers"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{wrong_import}\n")
    # When the contracts are checked, Then they fail, naming the contract broken
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in " ".join(broken.split()), result.stdout


def test_the_handlers_entry_modules_import_neither_the_generator_nor_the_local_api() -> None:
    # (single-file modules, which import-linter cannot take as roots)
    for path in sorted((ROOT / "handlers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.split(".")[0] in ("generator", "localapi")], path


WORKFLOWS = ROOT / ".github" / "workflows"


def _steps(workflow: Path) -> list[dict[str, Any]]:
    return [
        step
        for job in yaml.safe_load(workflow.read_text())["jobs"].values()
        for step in job["steps"]
    ]


def test_the_workflows_are_valid_and_zizmor_finds_nothing() -> None:
    workflows = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert [Path(path).name for path in workflows] == ["ci.yml", "deploy.yml"]
    schema = _run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    # (unpinned actions, template injection, excessive permissions, persisted credentials...)
    audit = _run(str(BIN / "zizmor"), "--offline", "--persona=pedantic", *workflows)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings" in audit.stdout


def test_the_ci_workflow_runs_the_readme_commands() -> None:
    steps = [step.get("run", "") for step in _steps(WORKFLOWS / "ci.yml")]
    for command in the_two_commands():
        assert command in steps, f"the workflow does not run `{command}`"
    assert any("tox -e lint" in step for step in steps)


def test_the_deploy_workflow_uses_oidc_roles_and_commands_that_parse() -> None:
    from generator.__main__ import build_parser

    steps = _steps(WORKFLOWS / "deploy.yml")
    logins = [s for s in steps if s.get("uses", "").startswith("aws-actions/")]
    assert len(logins) == 3  # plan, deploy dev, deploy prod
    for login in logins:
        assert set(login["with"]) == {"role-to-assume", "aws-region"}  # no keys
    commands = [
        " ".join(line.strip().rstrip("\\") for line in step["run"].splitlines())
        for step in steps
        if "python -m generator" in step.get("run", "")
    ]
    invocations = [
        command[command.index("python -m generator") :].split(">")[0] for command in commands
    ]
    for invocation in invocations:
        words = shlex.split(invocation.replace('"$AWS_REGION"', "eu-west-1"))[3:]
        words = [word.replace("$TARGET_ENV", "dev") for word in words]
        build_parser().parse_args(words)  # exits 2 on an option that does not exist
    assert {tuple(shlex.split(i)[3:5]) for i in invocations} == {
        ("--check",),
        ("diff", "--env"),
        ("deploy", "--env"),
    }


def test_pre_commit_runs_ruff_cfn_lint_and_the_template_check() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "cfn-lint", "templates-current"} <= set(hooks)
    assert hooks["templates-current"]["entry"] == "python -m generator --check"
    revisions = {repo["repo"].rsplit("/", 1)[-1]: repo.get("rev") for repo in config["repos"]}
    # The hooks run the versions the test extra pins.
    assert revisions["ruff-pre-commit"] == "v" + _pinned("ruff")


def test_tox_lint_runs_what_ci_runs() -> None:
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    commands = tox["testenv:lint"]["commands"].strip().splitlines()
    assert [command.strip() for command in commands] == [
        "ruff check .",
        "ruff format --check .",
        "mypy",
        "lint-imports",
        "cfn-lint",
        "python -m generator --check",
    ]


def _pinned(package: str) -> str:
    setup = (ROOT / "setup.py").read_text()
    marker = f'"{package}=='
    start = setup.index(marker) + len(marker)
    return setup[start : setup.index('"', start)]
