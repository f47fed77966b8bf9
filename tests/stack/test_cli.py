"""python -m generator: determinism across interpreter runs, --check, --env, --out, the
documentation's generated sections (rewritten and checked only without --out), and writing
only from the project's root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.documents.openapi import OPENAPI_FILE_NAME
from generator.stack.environments import ENVIRONMENTS
from generator.stack.names import BOOTSTRAP_TEMPLATE_FILE_NAME
from tests.support import cli

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def _generate(out: Path, hash_seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_output_is_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    # Given two runs in fresh interpreters with different hash seeds
    first = _generate(tmp_path / "a", "1")
    second = _generate(tmp_path / "b", "4242")

    # Then they write the same files with the same bytes: templates with a 2-space indent
    # and a final newline, and their diagrams
    assert first == second
    for environment in ENVIRONMENTS.values():
        template = first.pop(environment.template_file_name)
        assert template.endswith(b"}\n")
        assert template.startswith(b'{\n  "AWSTemplateFormatVersion"')
        assert first.pop(environment.diagram_file_name).startswith(b"flowchart LR\n")
    assert first.pop(OPENAPI_FILE_NAME).startswith(b'{\n  "components"')
    assert first.pop(BOOTSTRAP_TEMPLATE_FILE_NAME).startswith(b'{\n  "AWSTemplateFormatVersion"')
    assert first == {}


def test_check_passes_on_the_committed_templates(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the committed templates, When checked, Then exit 0 and no diff printed
    assert main(["--check", "--out", str(TEMPLATES)]) == 0
    assert capsys.readouterr().out == ""


def test_check_fails_with_a_diff_on_a_hand_edited_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a copy of the templates in which someone edited the prod memory size by hand
    assert main(["--out", str(tmp_path)]) == 0
    prod = tmp_path / ENVIRONMENTS["prod"].template_file_name
    prod.write_text(prod.read_text().replace('"MemorySize": 1024', '"MemorySize": 2048'))
    capsys.readouterr()

    # When checked
    status = main(["--check", "--out", str(tmp_path)])

    # Then it fails and prints a unified diff of the edit, leaving the file as it was
    out = capsys.readouterr().out
    assert status == 1
    assert '-        "MemorySize": 2048,' in out
    assert '+        "MemorySize": 1024,' in out
    assert '"MemorySize": 2048' in prod.read_text()


def test_check_fails_when_a_template_is_missing(tmp_path: Path) -> None:
    # Given an empty directory, When checked, Then the missing templates are a failure
    assert main(["--check", "--out", str(tmp_path)]) == 1


def test_env_writes_only_that_environment(tmp_path: Path) -> None:
    # Given --env dev, When run, Then only the dev template and its diagram are written (and
    # the OpenAPI document and the bootstrap template, the same for every environment)
    assert main(["--env", "dev", "--out", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        BOOTSTRAP_TEMPLATE_FILE_NAME,
        "food-delivery-dev.json",
        "food-delivery-dev.mmd",
        OPENAPI_FILE_NAME,
    ]


def test_check_fails_with_a_diff_on_a_stale_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given current templates and diagrams in which someone edited prod's diagram
    assert main(["--out", str(tmp_path)]) == 0
    prod = tmp_path / ENVIRONMENTS["prod"].diagram_file_name
    prod.write_text(prod.read_text().replace("TableNameParameter --> OrdersTable\n", ""))
    capsys.readouterr()

    # When checked
    status = main(["--check", "--out", str(tmp_path)])

    # Then it fails, with a diff that restores the edge, and names only the diagram
    captured = capsys.readouterr()
    assert status == 1
    assert "+    TableNameParameter --> OrdersTable" in captured.out
    assert f"{prod} (on disk)" in captured.out
    assert ".json" not in captured.out
    assert "1 file(s) not current" in captured.err


COST_PAGE = Path("docs") / "cost.md"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory like a checkout's root: its setup.py, its docs/ and current
    templates/."""
    shutil.copy(ROOT / "setup.py", tmp_path / "setup.py")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    return tmp_path


def _staled(page: Path) -> str:
    """Edit the cost page's generated section by hand, as someone might."""
    text = page.read_text(encoding="utf-8")
    stale = text.replace("<!-- cost:begin -->\n", "<!-- cost:begin -->\nmy own figures\n", 1)
    assert stale != text
    page.write_text(stale, encoding="utf-8")
    return stale


def test_check_fails_on_a_stale_generated_section(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a checkout whose cost page's generated section was edited by hand
    stale = _staled(checkout / COST_PAGE)
    capsys.readouterr()

    # When checked
    status = main(["--check"])

    # Then it fails with a diff of the page that takes the edit out, and writes nothing
    captured = capsys.readouterr()
    assert status == 1
    assert f"{COST_PAGE} (on disk)" in captured.out
    assert "-my own figures" in captured.out
    assert (checkout / COST_PAGE).read_text(encoding="utf-8") == stale


def test_a_run_without_out_makes_the_generated_sections_current(checkout: Path) -> None:
    # Given a checkout whose cost page's generated section was edited by hand
    _staled(checkout / COST_PAGE)

    # When the generator runs, Then the section is generated again and --check passes
    assert main([]) == 0
    assert "my own figures" not in (checkout / COST_PAGE).read_text(encoding="utf-8")
    assert main(["--check"]) == 0


def test_out_leaves_the_documentation_alone(checkout: Path) -> None:
    # Given a checkout whose cost page's generated section was edited by hand
    stale = _staled(checkout / COST_PAGE)

    # When the generator writes elsewhere (as the tests do), and checks there
    assert main(["--out", "build"]) == 0
    assert main(["--check", "--out", "build"]) == 0

    # Then the page is as it was: only a run into templates/ touches it
    assert (checkout / COST_PAGE).read_text(encoding="utf-8") == stale


def test_a_page_without_markers_is_left_alone(checkout: Path) -> None:
    # Given a cost page of another hand, without the markers
    (checkout / COST_PAGE).write_text("# costs\n", encoding="utf-8")

    # When the generator runs and checks, Then it neither fails nor touches that page
    assert main([]) == 0
    assert main(["--check"]) == 0
    assert (checkout / COST_PAGE).read_text(encoding="utf-8") == "# costs\n"


def test_outside_the_projects_root_it_writes_nothing_without_out(tmp_path: Path) -> None:
    # Given a directory that is not the project's root
    # When the generator runs there without --out
    result = cli.run(["-m", "generator"], cwd=tmp_path)
    # Then it refuses in one line, says what to do, and creates nothing there
    cli.assert_clean_error(result, 2, "not this project's root", "--out DIR")
    assert list(tmp_path.iterdir()) == []
    # And with --out it writes where it is told
    written = cli.run(["-m", "generator", "--out", "mine"], cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "mine" / "food-delivery-prod.json").is_file()


def test_unknown_environment_is_a_usage_error() -> None:
    # Given an environment that does not exist, Then it is refused in one line with exit 2
    result = cli.run(["-m", "generator", "--env", "staging"])
    cli.assert_clean_error(result, 2, "python -m generator: error:", "invalid choice: 'staging'")


# --- errors a user can cause: one line on stderr, no traceback -----------------------------


def test_out_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    # Given --out naming a file
    blocker = tmp_path / "templates"
    blocker.write_text("not a directory")
    # When the templates are written there, Then one line says what is in the way
    result = cli.run(["-m", "generator", "--out", str(blocker)])
    cli.assert_clean_error(result, 1, f"{blocker} is a file, not a directory")
    assert blocker.read_text() == "not a directory"


def test_read_only_out_is_a_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    # Given a directory this user may not write
    read_only = cli.read_only_directory(tmp_path)
    before = sorted(read_only.iterdir())
    # When the templates are written there
    result = cli.run(["-m", "generator", "--out", str(read_only)])
    # Then one line names the file and the reason, and no partial file is left
    cli.assert_clean_error(result, 1, f"cannot write {read_only}/food-delivery-dev.json: ")
    assert sorted(read_only.iterdir()) == before


def test_check_with_out_suggests_the_command_with_that_out(tmp_path: Path) -> None:
    # Given a directory with no templates, When checked with --env and --out
    result = cli.run(["-m", "generator", "--check", "--env", "dev", "--out", str(tmp_path)])
    # Then the fix it suggests regenerates exactly there
    assert result.returncode == 1
    assert f"run `python -m generator --env dev --out {tmp_path}`" in result.stderr


def test_help_lists_every_command() -> None:
    result = cli.run(["-m", "generator", "--help"])
    assert result.returncode == 0
    assert "python -m generator COMMAND" in result.stdout
    for command in ("package", "diff", "deploy", "serve", "cost"):
        assert f"    {command} " in result.stdout


def test_emit_options_before_a_command_are_a_usage_error() -> None:
    result = cli.run(["-m", "generator", "--check", "package"])
    cli.assert_clean_error(result, 2, "--check must not come before a command")


def test_console_script_calls_itself_by_its_name(tmp_path: Path) -> None:
    # Given the entry point setup.py installs beside this Python
    script = Path(sys.executable).with_name("food-delivery-generator")
    assert script.exists(), "pip install -e . installs the food-delivery-generator script"
    # When it is misused, Then its error names it, not `python -m generator`
    result = subprocess.run([str(script), "--env", "staging"], capture_output=True, text=True)
    cli.assert_clean_error(result, 2, "food-delivery-generator: error: argument --env")


def test_a_subcommands_errors_all_start_with_its_name(tmp_path: Path) -> None:
    # Given one error argparse finds and one the command finds when it runs
    usage = cli.run(["-m", "generator", "deploy", "--env", "dev"])
    runtime = cli.run(
        ["-m", "generator", "deploy", "--env", "dev", "--stack-name", "s", "--yes",
         "--artifact-bucket", "b", "--template-file", str(tmp_path / "missing.json")]
    )  # fmt: skip
    # Then both name the command the same way
    cli.assert_clean_error(usage, 2, "python -m generator deploy: error:")
    cli.assert_clean_error(runtime, 1, "python -m generator deploy: error:", "does not exist")
