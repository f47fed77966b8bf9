"""Handler costs against a local moto server: prints figures, asserts nothing.

    python benchmarks/handlers.py [--runs 7] [--requests 200] [--python PATH] [--zip PATH]

The cold-start probes (1 and 2) run what Lambda runs: the built zip (`--zip`, else one built
now as `package` builds it), unpacked into a scratch folder, on the runtime's Python (3.13,
found as `package` finds it, or --python) with boto3 beside it as the runtime provides it,
and with PYTHONDONTWRITEBYTECODE=1: as on Lambda's read-only /var/task, a module without
bytecode in the zip would be compiled from source on every cold start. Each probe counts the
zip's modules it compiled from source (0 when the zip's bytecode is used).

1. Cold import of each entry module, in a fresh interpreter each time (median of --runs),
   as a ratio to `import boto3` alone (target <= 0.7). The entries leave boto3, the X-Ray SDK
   and the request validators (generated into the zip) to the first request, so the import
   figure is followed by the first request's own cost, for the whole cold-start picture.
2. Cold start as Lambda bills it: the entry's import plus its first request, in a fresh
   interpreter with the function's environment (and the variables the Lambda runtime adds,
   which switch tracing on), as a ratio to a fresh interpreter doing the
   same work by hand: `import boto3`, creating the clients, and the same raw calls (the SSM
   parameters it reads, then the request's DynamoDB calls) (target <= 1.3).
3. Warm time per request (POST /orders, GET /orders/{id}) through the real `handler(event,
   context)`, as a ratio to the raw boto3 calls that request makes (target <= 1.25): POST is
   the rate-limit count on the customer index plus the conditional put; GET is one Query.
   Handler and raw calls alternate, against the same server, and medians are compared. This
   part runs in this process, on this Python, from handlers/; --requests 0 leaves it out.

Everything runs on 127.0.0.1 with fake credentials; nothing reaches AWS.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ROOT / "handlers"
EVENTS = ROOT / "tests" / "events"
sys.path[:0] = [str(HANDLERS), str(ROOT)]

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
    "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
# What the Lambda runtime itself sets in a function's environment. They matter to cold start:
# the X-Ray SDK, seeing LAMBDA_TASK_ROOT, takes its sampling decision from the trace header
# instead of building a client for the X-Ray daemon's sampling API. The daemon address is a
# local port nobody listens on (segments are UDP datagrams, sent and forgotten).
LAMBDA_RUNTIME = {
    "LAMBDA_TASK_ROOT": "",  # the unpacked zip (main sets it)
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_NAME": "benchmark",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "_X_AMZN_TRACE_ID": (
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    ),
}
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)
os.environ.update(ENVIRONMENT)

# The probes write no bytecode, as on Lambda, whose /var/task is read-only.
PROBE_ENVIRONMENT = {"PYTHONDONTWRITEBYTECODE": "1"}

# Counts the modules of the task root that the import system compiles from source, because
# the zip gave it no bytecode it could use.
COUNT_SOURCE_COMPILES = """
import importlib.machinery
compiled_from_source = []
_to_code = importlib.machinery.SourceFileLoader.source_to_code
def _recording(self, data, path, *args, **kwargs):
    if str(path).startswith({task_root!r}):
        compiled_from_source.append(path)
    return _to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = _recording
"""

IMPORT_PROBE = """
import sys, time
sys.path.insert(0, {task_root!r})
started = time.perf_counter()
import {module}
print(time.perf_counter() - started)
"""

FIRST_REQUEST_PROBE = """
import json, os, sys, time, uuid
sys.path.insert(0, {task_root!r})
{count_source_compiles}
started = time.perf_counter()
import {module}
imported = time.perf_counter()
class Context:
    function_name = "benchmark"; memory_limit_in_mb = 1024; aws_request_id = str(uuid.uuid4())
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:benchmark"
    def get_remaining_time_in_millis(self): return 30000
event = json.loads(open({event!r}).read())
devnull = os.open(os.devnull, os.O_WRONLY); saved = os.dup(1); os.dup2(devnull, 1)
status = {module}.handler(event, Context())["statusCode"]
done = time.perf_counter()
os.dup2(saved, 1)
print(json.dumps({{
    "import": imported - started, "first": done - imported, "status": status,
    "from_source": len(compiled_from_source),
}}))
"""


RAW_COLD_PROBE = """
import json, os, time, uuid
started = time.perf_counter()
import boto3
session = boto3.session.Session()
ssm, dynamodb = session.client("ssm"), session.client("dynamodb")
for name in {parameters!r}:
    json.loads(ssm.get_parameter(Name=os.environ[name])["Parameter"]["Value"])
table = os.environ["ORDERS_TABLE_NAME"]
now = time.time_ns() // 1_000_000
if {post!r}:
    dynamodb.query(
        TableName=table, IndexName="customerIdIndex",
        KeyConditionExpression="customerId = :c AND #t > :s",
        ExpressionAttributeNames={{"#t": "timestamp"}},
        ExpressionAttributeValues={{
            ":c": {{"S": "acme-eats#cold"}}, ":s": {{"N": str(now - 3600000)}}
        }},
        Select="COUNT", Limit=150,
    )
    dynamodb.put_item(
        TableName=table,
        Item={{"orderId": {{"S": "acme-eats#" + str(uuid.uuid4())}}, "timestamp": {{"N": str(now)}},
              "customerId": {{"S": "acme-eats#cold"}}, "status": {{"S": "pending"}}}},
        ConditionExpression="attribute_not_exists(orderId)",
    )
else:
    dynamodb.query(
        TableName=table, IndexName="customerIdIndex",
        KeyConditionExpression="customerId = :c",
        ExpressionAttributeValues={{":c": {{"S": "acme-eats#c"}}}},
        ScanIndexForward=False, Limit=21,
    )
print(time.perf_counter() - started)
"""


# The interpreter the fresh-interpreter probes run on, and the unpacked zip they import from
# (main sets both).
PROBE_PYTHON: list[str] = []
TASK_ROOT: list[str] = []


def first_request_probe(module: str, event: str) -> str:
    return FIRST_REQUEST_PROBE.format(
        task_root=TASK_ROOT[0],
        module=module,
        event=str(EVENTS / event),
        count_source_compiles=COUNT_SOURCE_COMPILES.format(task_root=TASK_ROOT[0]),
    )


def run_probe(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [*PROBE_PYTHON, "-c", code],
        env={**env, **PROBE_ENVIRONMENT},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


ENTRIES = ("order_processor", "query_orders")


def cold_imports(runs: int, stack: Stack) -> None:
    env = {**os.environ, **stack.environment()}
    print(f"1. cold import (median of {runs} fresh interpreters)")
    # The three imports take turns, so that a machine busy for a while slows all of them.
    samples: dict[str, list[float]] = {module: [] for module in ("boto3", *ENTRIES)}
    for _ in range(runs):
        for module, times in samples.items():
            probe = IMPORT_PROBE.format(task_root=TASK_ROOT[0], module=module)
            times.append(float(run_probe(probe, env)))
    baseline = statistics.median(samples["boto3"])
    print(f"   import boto3                 {baseline * 1000:7.1f} ms")
    for module, event in zip(ENTRIES, ("post_order.json", "get_customer_orders.json"), strict=True):
        seconds = statistics.median(samples[module])
        firsts = [
            json.loads(run_probe(first_request_probe(module, event), env))
            for _ in range(max(3, runs // 2))
        ]
        first = statistics.median(sample["first"] for sample in firsts)
        print(
            f"   import {module:<21} {seconds * 1000:7.1f} ms   ratio {seconds / baseline:4.2f}"
            f"  (target <= 0.7)   then its first request {first * 1000:6.1f} ms"
            f" (HTTP {firsts[0]['status']}; modules compiled from source:"
            f" {max(sample['from_source'] for sample in firsts)})"
        )


def cold_starts(runs: int, stack: Stack) -> None:
    env = {**os.environ, **stack.environment()}
    print(f"2. cold start as Lambda bills it: import + first request (median of {runs})")
    for module, event, parameters, post in (
        (
            "order_processor",
            "post_order.json",
            ("API_CONFIG_PARAMETER", "FEATURE_FLAGS_PARAMETER", "PARTNER_REGISTRY_PARAMETER"),
            True,
        ),
        (
            "query_orders",
            "get_customer_orders.json",
            ("API_CONFIG_PARAMETER", "PARTNER_REGISTRY_PARAMETER"),
            False,
        ),
    ):
        raws: list[float] = []
        handlers: list[float] = []
        from_source = 0
        # By hand and the handler take turns, for the same reason as above.
        for _ in range(runs):
            raw_probe = RAW_COLD_PROBE.format(parameters=parameters, post=post)
            raws.append(float(run_probe(raw_probe, env)))
            sample = json.loads(run_probe(first_request_probe(module, event), env))
            handlers.append(sample["import"] + sample["first"])
            from_source = max(from_source, sample["from_source"])
        raw, handler = statistics.median(raws), statistics.median(handlers)
        print(
            f"   {module:<16} handler {handler * 1000:7.1f} ms   boto3 by hand {raw * 1000:7.1f} ms"
            f"   ratio {handler / raw:4.2f}  (target <= 1.3)"
            f"   [handler {', '.join(f'{t * 1000:.0f}' for t in handlers)};"
            f" by hand {', '.join(f'{t * 1000:.0f}' for t in raws)}; compiled from source:"
            f" {from_source}]"
        )


def stored_item(
    body: dict[str, Any], customer: str, order_id: str, partner: str, now: int
) -> dict[str, Any]:
    """An order as the store writes it (key values qualified by the partner)."""
    item = {
        **body,
        "customerId": customer,
        "orderId": order_id,
        "partner": partner,
        "timestamp": now,
        "status": "pending",
        "total": "21.95",
        "createdAt": "2024-05-24T12:00:00.000Z",
        "updatedAt": "2024-05-24T12:00:00.000Z",
        "version": 1,
    }
    loaded: dict[str, Any] = json.loads(json.dumps(item), parse_float=Decimal)
    return loaded


@dataclass
class Stack:
    endpoint: str
    orders_table: str
    idempotency_table: str
    queue_url: str
    api_config: str
    feature_flags: str
    partner_registry: str
    clients: dict[str, Any] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "ORDERS_TABLE_NAME": self.orders_table,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table,
            "DLQ_URL": self.queue_url,
            "API_CONFIG_PARAMETER": self.api_config,
            "FEATURE_FLAGS_PARAMETER": self.feature_flags,
            "PARTNER_REGISTRY_PARAMETER": self.partner_registry,
            **LAMBDA_RUNTIME,
        }


def create_stack(endpoint: str) -> Stack:
    """Tables from the generator's dev template, SSM values from the template, like the tests."""
    import boto3

    from generator.stack.build import render
    from generator.stack.environments import ENVIRONMENTS
    from tests.support.api import SAMPLE_PARTNERS, registry_value
    from tests.support.aws import create_tables_from_template, parameter_values

    template = render(ENVIRONMENTS["dev"]).editable()
    suffix = uuid.uuid4().hex[:8]
    session = boto3.session.Session()
    clients = {
        name: session.client(name, endpoint_url=endpoint) for name in ("dynamodb", "sqs", "ssm")
    }
    stack = Stack(
        endpoint=endpoint,
        orders_table=f"orders-{suffix}",
        idempotency_table=f"idempotency-{suffix}",
        queue_url=clients["sqs"].create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"],
        api_config=f"/food-delivery/bench-{suffix}/api-config",
        feature_flags=f"/food-delivery/bench-{suffix}/feature-flags",
        partner_registry=f"/food-delivery/bench-{suffix}/partners",
        clients=clients,
    )
    create_tables_from_template(
        clients["dynamodb"],
        template,
        {"OrdersTable": stack.orders_table, "IdempotencyTable": stack.idempotency_table},
    )
    values = parameter_values(template)
    clients["ssm"].put_parameter(
        Name=stack.api_config, Type="String", Value=values["ApiConfigParameter"]
    )
    clients["ssm"].put_parameter(
        Name=stack.feature_flags, Type="String", Value=values["FeatureFlagsParameter"]
    )
    # The sample events' partner (their claims and API key id) and another.
    clients["ssm"].put_parameter(
        Name=stack.partner_registry, Type="String", Value=registry_value(SAMPLE_PARTNERS)
    )
    return stack


@contextmanager
def stdout_silenced() -> Iterator[None]:
    """Powertools writes a log line and an EMF blob per request to stdout: send them nowhere."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def warm_requests(stack: Stack, requests: int) -> None:
    for name, value in stack.environment().items():
        os.environ[name] = value
    from boto3.dynamodb.types import TypeSerializer
    from botocore.config import Config

    import order_processor
    import query_orders
    from orders.rules import ApiConfig
    from store.orders_table import qualified
    from tests.support.api import A

    api_config = ApiConfig.from_mapping(
        json.loads(stack.clients["ssm"].get_parameter(Name=stack.api_config)["Parameter"]["Value"])
    )
    import boto3

    # The raw client has the handler's configuration (api-config's timeouts and retries).
    client = boto3.session.Session().client(
        "dynamodb",
        config=Config(
            connect_timeout=api_config.default_timeout_ms / 1000,
            read_timeout=api_config.default_timeout_ms / 1000,
            retries={"mode": "standard", "max_attempts": api_config.retry_attempts},
        ),
    )

    class Context:
        function_name = "benchmark"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:benchmark"
        aws_request_id = "benchmark"

        def get_remaining_time_in_millis(self) -> int:
            return 30_000

    post_event = json.loads((EVENTS / "post_order.json").read_text())
    get_event = json.loads((EVENTS / "get_order.json").read_text())
    body = json.loads(post_event["body"])
    serializer = TypeSerializer()
    context = Context()
    order_ids: list[str] = []

    def handler_post() -> None:
        event = dict(
            post_event, body=json.dumps({**body, "customerId": f"c-{uuid.uuid4().hex[:12]}"})
        )
        response = order_processor.handler(event, context)
        assert response["statusCode"] == 201, response
        order_ids.append(json.loads(response["body"])["orderId"])

    def raw_post() -> None:
        # The same two calls: the hour's count on the customer index, then the conditional put.
        customer = qualified(A, f"c-{uuid.uuid4().hex[:12]}")
        now = time.time_ns() // 1_000_000
        client.query(
            TableName=stack.orders_table,
            IndexName="customerIdIndex",
            KeyConditionExpression="customerId = :c AND #t > :since",
            ExpressionAttributeNames={"#t": "timestamp"},
            ExpressionAttributeValues={
                ":c": {"S": customer},
                ":since": {"N": str(now - 3_600_000)},
            },
            Select="COUNT",
            Limit=api_config.max_orders_per_hour,
        )
        item = stored_item(body, customer, qualified(A, str(uuid.uuid4())), A, now)
        client.put_item(
            TableName=stack.orders_table,
            Item={key: serializer.serialize(value) for key, value in item.items()},
            ConditionExpression="attribute_not_exists(orderId)",
        )

    def handler_get(order_id: str) -> None:
        event = dict(get_event, path=f"/orders/{order_id}", pathParameters={"orderId": order_id})
        response = query_orders.handler(event, context)
        assert response["statusCode"] == 200, response

    def raw_get(order_id: str) -> None:
        client.query(
            TableName=stack.orders_table,
            KeyConditionExpression="orderId = :id",
            ExpressionAttributeValues={":id": {"S": qualified(A, order_id)}},
            Limit=1,
            ConsistentRead=True,
        )

    samples: dict[str, list[float]] = {
        "handler POST": [],
        "raw POST": [],
        "handler GET": [],
        "raw GET": [],
    }
    warm_up = 20
    with stdout_silenced():
        for index in range(requests + warm_up):
            post_handler, post_raw = timed(handler_post), timed(raw_post)
            order_id = order_ids[index % len(order_ids)]
            get_handler, get_raw = (
                timed(lambda order_id=order_id: handler_get(order_id)),
                timed(lambda order_id=order_id: raw_get(order_id)),
            )
            if index >= warm_up:
                samples["handler POST"].append(post_handler)
                samples["raw POST"].append(post_raw)
                samples["handler GET"].append(get_handler)
                samples["raw GET"].append(get_raw)

    print(f"3. warm request (median of {requests}, after {warm_up} warm-up requests)")
    for route in ("POST", "GET"):
        handler = statistics.median(samples[f"handler {route}"])
        raw_time = statistics.median(samples[f"raw {route}"])
        print(
            f"   {route:<4} handler {handler * 1000:6.2f} ms   raw boto3 {raw_time * 1000:6.2f} ms"
            f"   ratio {handler / raw_time:4.2f}  (target <= 1.25)"
            f"   handler overhead {(handler - raw_time) * 1000:5.2f} ms"
        )


def probe_python(python: Path, cache: Path) -> Path:
    """python itself if it has boto3, else a venv of it with this boto3 only, as the Lambda
    runtime provides boto3 beside the zip (made once, in cache)."""
    import boto3

    has_boto3 = subprocess.run([str(python), "-c", "import boto3"], capture_output=True)
    if has_boto3.returncode == 0:
        return python
    version = subprocess.check_output(
        [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], text=True
    ).strip()
    environment = cache / f"python{version}-boto3-{boto3.__version__}"
    venv_python = environment / "bin" / "python"
    if not venv_python.is_file():
        print(f"making {environment} (boto3 {boto3.__version__} on {python})")
        subprocess.run([str(python), "-m", "venv", "--clear", str(environment)], check=True)
        subprocess.run(
            [
                str(venv_python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"boto3=={boto3.__version__}",
            ],
            check=True,
        )
    return venv_python


def unpacked_zip(artifact: Path | None, scratch: Path) -> Path:
    """The zip (built now unless given) unpacked into scratch/task, files and folders
    read-only (which stops anyone but root; the probes write no bytecode anyway)."""
    if artifact is None:
        from generator.release.packaging import build_artifact

        started = time.perf_counter()
        built = build_artifact(scratch / "dist", cache_dir=ROOT / "dist" / ".deps")
        artifact = built.path
        print(f"built {artifact.name} in {time.perf_counter() - started:.1f} s")
    task = scratch / "task"
    with zipfile.ZipFile(artifact) as archive:
        archive.extractall(task)
        compiled = sum(name.endswith(".pyc") for name in archive.namelist())
    print(f"cold-start probes import from {artifact.name}, unpacked ({compiled} .pyc files)")
    for path in task.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    task.chmod(0o555)
    return task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per import figure")
    parser.add_argument(
        "--requests", type=int, default=200, help="warm requests per route (0: leave part 3 out)"
    )
    parser.add_argument(
        "--python",
        type=Path,
        help="interpreter for the cold-start probes (default: the Lambda runtime's, found as"
        " `package` finds it); without boto3, a venv of it with boto3 is made in dist/",
    )
    parser.add_argument(
        "--zip", type=Path, help="the Lambda zip to probe (default: one built now, as package does)"
    )
    args = parser.parse_args(argv)

    from generator.release.lambda_python import find_lambda_python, missing_message

    python = args.python or find_lambda_python()
    if python is None:
        print(missing_message(), file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        task = unpacked_zip(args.zip, scratch)
        try:
            PROBE_PYTHON[:] = [str(probe_python(python, ROOT / "dist" / ".benchmark-pythons"))]
            TASK_ROOT[:] = [str(task)]
            LAMBDA_RUNTIME["LAMBDA_TASK_ROOT"] = str(task)
            version = subprocess.check_output([*PROBE_PYTHON, "-V"], text=True).strip()
            print(f"cold-start probes on {version} ({PROBE_PYTHON[0]})")
            before = sorted(task.rglob("*"))
            run_benchmarks(args.runs, args.requests)
            written = len(sorted(task.rglob("*"))) - len(before)
            print(f"files written into the unpacked zip during the probes: {written}")
        finally:
            # Writable again, so the scratch folder can be removed.
            for path in [task, *task.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
    return 0


def run_benchmarks(runs: int, requests: int) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log

    from tests.support.aws import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        stack = create_stack(endpoint)
        cold_imports(runs, stack)
        cold_starts(runs, stack)
        if requests > 0:
            warm_requests(stack, requests)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
