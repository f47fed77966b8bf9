"""The Lambda artifact: reproducible bytes, and complete enough to serve requests alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from generator.release.packaging import (
    EXCLUDED_NAMES,
    HANDLERS,
    TASK_ROOT,
    VALIDATORS_PACKAGE,
    PackagingError,
    build_artifact,
    bytecode_name,
)
from generator.stack.function_specs import PYTHON_VERSION
from tests.support.api import SAMPLE_PARTNERS, registry_value
from tests.support.aws import FAKE_CREDENTIALS, create_tables_from_template, parameter_values

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"


def _package(out: Path, hash_seed: str) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "package", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    [artifact] = out.glob("handlers-*.zip")
    return artifact


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory, lambda_python: Path) -> Path:
    return _package(tmp_path_factory.mktemp("dist"), "0")


def test_same_sources_give_the_same_bytes(artifact: Path, tmp_path: Path) -> None:
    # Given the sources with every file's mtime moved, and another hash seed
    for path in HANDLERS.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))

    # When packaged again from scratch (its own dependency install)
    again = _package(tmp_path / "dist", "12345")

    # Then the zip is byte for byte the same, under the same content-addressed name
    assert again.name == artifact.name
    assert again.read_bytes() == artifact.read_bytes()


def test_entries_are_sorted_with_fixed_time_and_mode(artifact: Path) -> None:
    with zipfile.ZipFile(artifact) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_every_module_has_the_runtimes_bytecode_and_nothing_else_is_bytecode(
    artifact: Path,
) -> None:
    # Given the zip's entries
    with zipfile.ZipFile(artifact) as archive:
        names = set(archive.namelist())

    # When its modules and its bytecode files are listed
    modules = {name for name in names if name.endswith(".py")}
    compiled = {name for name in names if name.endswith(".pyc") or "__pycache__" in name}

    # Then each module has its .pyc where python3.13 looks for it, and there is no other
    assert len(modules) > 400  # the handlers and their dependencies, not a handful
    assert compiled == {bytecode_name(name) for name in modules}
    assert "__pycache__/order_processor.cpython-313.pyc" in compiled
    assert "aws_lambda_powertools/__pycache__/__init__.cpython-313.pyc" in compiled


def test_a_module_that_does_not_compile_fails_the_build_naming_it(
    artifact: Path, tmp_path: Path
) -> None:
    # Given the handlers with one module that is not valid Python 3.13
    handlers = tmp_path / "handlers"
    shutil.copytree(HANDLERS, handlers, ignore=shutil.ignore_patterns("__pycache__"))
    (handlers / "orders" / "broken.py").write_text("def broken(:\n    pass\n")

    # When the zip is built (with the dependencies the fixture's build installed)
    with pytest.raises(PackagingError) as raised:
        build_artifact(tmp_path / "dist", handlers=handlers, cache_dir=artifact.parent / ".deps")

    # Then the error names the module as the zip would hold it, on one line, and no zip is left
    message = str(raised.value)
    assert "orders/broken.py" in message
    assert "\n" not in message
    assert not list((tmp_path / "dist").glob("*.zip"))


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"$id": "https://example.com/extra.json", "type": "object"}, "no validate function"),
        ({"type": "no-such-type"}, "JsonSchemaDefinitionException"),
    ],
)
def test_a_schema_whose_validator_cannot_be_generated_fails_the_build_naming_it(
    artifact: Path, tmp_path: Path, schema: dict[str, Any], words: str
) -> None:
    # Given the handlers with one more request schema, whose validator would not be usable
    handlers = tmp_path / "handlers"
    shutil.copytree(HANDLERS, handlers, ignore=shutil.ignore_patterns("__pycache__"))
    (handlers / "schemas" / "extra.json").write_text(json.dumps(schema))

    # When the zip is built
    with pytest.raises(PackagingError) as raised:
        build_artifact(tmp_path / "dist", handlers=handlers, cache_dir=artifact.parent / ".deps")

    # Then the error names the schema and says why, on one line, and no zip is left
    message = str(raised.value)
    assert "extra.json" in message
    assert words in message
    assert "\n" not in message
    assert not list((tmp_path / "dist").glob("*.zip"))


# Run on the runtime's Python: reads every .pyc of the zip as the import system does.
CHECK_BYTECODE = r"""
import importlib.util, json, marshal, sys, zipfile
bad = []
with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in archive.namelist():
        if not name.endswith(".pyc"):
            continue
        data = archive.read(name)
        directory, _, file_name = name.rpartition("__pycache__/")
        source_name = directory + file_name.split(".")[0] + ".py"
        source = archive.read(source_name)
        flags = int.from_bytes(data[4:8], "little")
        code = marshal.loads(data[16:])
        if data[:4] != importlib.util.MAGIC_NUMBER:
            bad.append([name, "magic"])
        elif flags != 0b01:  # hash-based, source not checked (PEP 552)
            bad.append([name, "flags %d" % flags])
        elif data[8:16] != importlib.util.source_hash(source):
            bad.append([name, "not compiled from this source"])
        elif code.co_filename != sys.argv[2] + "/" + source_name:
            bad.append([name, code.co_filename])
print(json.dumps(bad))
"""


def test_bytecode_is_unchecked_hash_of_the_shipped_source_named_under_var_task(
    artifact: Path, lambda_python: Path
) -> None:
    # Given the zip, and the runtime's Python to read its bytecode
    # When each .pyc's header and code object are read as the import system reads them
    result = subprocess.run(
        [str(lambda_python), "-I", "-c", CHECK_BYTECODE, str(artifact), TASK_ROOT],
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then each is for this Python, does not check its source, holds the hash of the source
    # beside it in the zip (so it was compiled from that very file) and names it as Lambda
    # unpacks it, not as the build machine had it
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_contents_are_the_handlers_at_the_root_plus_dependencies_without_boto(
    artifact: Path,
) -> None:
    with zipfile.ZipFile(artifact) as archive:
        names = set(archive.namelist())
    for path in HANDLERS.rglob("*"):
        relative = path.relative_to(HANDLERS).as_posix()
        if path.is_file() and "__pycache__" not in relative and relative not in EXCLUDED_NAMES:
            assert relative in names, relative
    assert {"order_processor.py", "query_orders.py", "schemas/order.json"} <= names
    # And each schema's validator, generated (handlers/orders/requests.py imports them)
    assert {
        f"{VALIDATORS_PACKAGE}/{schema.stem}.py" for schema in (HANDLERS / "schemas").glob("*.json")
    } | {f"{VALIDATORS_PACKAGE}/__init__.py"} == {
        name for name in names if name.startswith(f"{VALIDATORS_PACKAGE}/") and name.endswith(".py")
    }
    tops = {name.split("/")[0] for name in names}
    assert {"aws_lambda_powertools", "aws_xray_sdk", "fastjsonschema", "wrapt"} <= tops
    assert not tops & {"boto3", "botocore", "s3transfer"}
    # The compiled part of wrapt is the Lambda platform's (Linux x86_64, the runtime's CPython).
    compiled = [name for name in names if name.endswith(".so")]
    assert compiled
    abi = "cpython-" + PYTHON_VERSION.replace(".", "") + "-x86_64-linux-gnu"
    assert all(abi in name for name in compiled), compiled


SERVE_ONE_REQUEST_EACH = r"""
import importlib.machinery, json, sys, uuid
sys.path[:0] = [sys.argv[1]]
# Every module the import system compiles from source because it found no usable bytecode.
compiled_from_source = []
to_code = importlib.machinery.SourceFileLoader.source_to_code
def recording_source_to_code(self, data, path, *args, **kwargs):
    compiled_from_source.append(str(path))
    return to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = recording_source_to_code
import order_processor, query_orders

class Context:
    function_name = "artifact-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:artifact-test"
    aws_request_id = str(uuid.uuid4())
    def get_remaining_time_in_millis(self):
        return 10_000

events = json.loads(sys.argv[2])
created = order_processor.handler(events["post"], Context())
order_id = json.loads(created["body"]).get("orderId", "")
get = events["get"]
get["path"] = "/orders/" + order_id
get["pathParameters"] = {"orderId": order_id}
found = query_orders.handler(get, Context())
print(json.dumps({
    "created": created["statusCode"],
    "found": found["statusCode"],
    "same": json.loads(found["body"]).get("orderId") == order_id,
    "boto3": __import__("boto3").__file__,
    "powertools": __import__("aws_lambda_powertools").__file__,
    "python": "%d.%d" % sys.version_info[:2],
    "from_source": [path for path in compiled_from_source if path.startswith(sys.argv[1])],
    "from_zip": sorted(
        name for name, module in sys.modules.items()
        if (getattr(module, "__file__", None) or "").startswith(sys.argv[1])
    ),
    "writes_bytecode": not sys.dont_write_bytecode,
}))
"""


def _fresh_venv_with_only_boto3(lambda_python: Path, directory: Path) -> Path:
    subprocess.run([str(lambda_python), "-m", "venv", str(directory)], check=True, timeout=120)
    python = directory / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"boto3=={boto3.__version__}",
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    return python


def test_artifact_alone_serves_requests_in_a_venv_with_only_boto3(
    artifact: Path,
    tmp_path: Path,
    moto_server: str,
    rendered_templates: dict[str, dict[str, Any]],
    lambda_python: Path,
) -> None:
    # Given the zip unpacked into an empty directory
    unpacked = tmp_path / "lambda"
    with zipfile.ZipFile(artifact) as archive:
        archive.extractall(unpacked)
    files_before = sorted(unpacked.rglob("*"))

    # And the stack's tables, queue and parameters on moto
    template = rendered_templates["dev"]
    suffix = uuid.uuid4().hex[:8]
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb", endpoint_url=moto_server)
    tables = {"OrdersTable": f"orders-{suffix}", "IdempotencyTable": f"idempotency-{suffix}"}
    create_tables_from_template(dynamodb, template, tables)
    ssm = session.client("ssm", endpoint_url=moto_server)
    values = parameter_values(template)
    for logical_id in ("ApiConfigParameter", "FeatureFlagsParameter"):
        ssm.put_parameter(
            Name=f"/artifact-{suffix}/{logical_id}", Value=values[logical_id], Type="String"
        )
    # The registry as the template writes it, for the sample events' partner
    ssm.put_parameter(
        Name=f"/artifact-{suffix}/PartnerRegistryParameter",
        Value=registry_value(SAMPLE_PARTNERS),
        Type="String",
    )
    queue_url = session.client("sqs", endpoint_url=moto_server).create_queue(
        QueueName=f"dlq-{suffix}"
    )["QueueUrl"]

    # When a venv with nothing but boto3 imports both handlers from there and serves a request,
    # writing no bytecode (-B), as on Lambda's read-only /var/task
    python = _fresh_venv_with_only_boto3(lambda_python, tmp_path / "venv")
    events = {
        "post": json.loads((EVENTS / "post_order.json").read_text()),
        "get": json.loads((EVENTS / "get_order.json").read_text()),
    }
    env = {
        "PATH": os.environ.get("PATH", ""),
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": moto_server,
        "ORDERS_TABLE_NAME": tables["OrdersTable"],
        "IDEMPOTENCY_TABLE_NAME": tables["IdempotencyTable"],
        "DLQ_URL": queue_url,
        "API_CONFIG_PARAMETER": f"/artifact-{suffix}/ApiConfigParameter",
        "FEATURE_FLAGS_PARAMETER": f"/artifact-{suffix}/FeatureFlagsParameter",
        "PARTNER_REGISTRY_PARAMETER": f"/artifact-{suffix}/PartnerRegistryParameter",
        "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
        "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
    }
    result = subprocess.run(
        [str(python), "-I", "-B", "-c", SERVE_ONE_REQUEST_EACH, str(unpacked), json.dumps(events)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then both answer, with Powertools from the zip and boto3 from the venv
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert (outcome["created"], outcome["found"], outcome["same"]) == (201, 200, True)
    assert outcome["powertools"].startswith(str(unpacked))
    assert outcome["boto3"].startswith(str(tmp_path / "venv"))
    # And on the runtime's own Python version
    assert outcome["python"] == PYTHON_VERSION
    # And every module of the zip that served them came from its bytecode: none was compiled
    # from source, and nothing was written beside them
    assert not outcome["writes_bytecode"]
    assert len(outcome["from_zip"]) > 100, outcome["from_zip"]
    assert {"order_processor", "aws_lambda_powertools", "aws_xray_sdk"} <= set(outcome["from_zip"])
    # And the order was validated by the validator generated into the zip
    assert f"{VALIDATORS_PACKAGE}.order" in outcome["from_zip"]
    assert outcome["from_source"] == []
    assert sorted(unpacked.rglob("*")) == files_before
