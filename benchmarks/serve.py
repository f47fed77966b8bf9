"""`serve`'s start-up time and the local gateway's own cost per request.

    python benchmarks/serve.py [--runs 5] [--requests 300]

1. Start-up: `python -m generator serve` in a fresh interpreter until it prints that it is
   ready, on DynamoDB Local (from the cache: installed first if it is not) and on moto,
   alternately, so that whatever else the machine runs weighs on both alike (median of --runs
   each).
2. Overhead: the same GET /orders/{orderId} through the gateway over HTTP (a kept-alive
   connection) and as a direct call of the handler in this process against the same moto;
   prints both medians (p50) and their difference: what the gateway adds. Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from partner_token import access_token  # beside this script, on its sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "handlers"), str(ROOT)]


def free_port() -> int:
    from localapi.aws import free_port as port

    return port()


DYNAMODB = ("local", "moto")


def start_up(runs: int) -> dict[str, list[float]]:
    subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--install-dynamodb-local"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    timings: dict[str, list[float]] = {dynamodb: [] for dynamodb in DYNAMODB}
    for _ in range(runs):
        for dynamodb in DYNAMODB:
            timings[dynamodb].append(serve_ready(dynamodb))
    return timings


def serve_ready(dynamodb: str) -> float:
    """Seconds from starting serve to its saying it is ready."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(free_port()),
         "--dynamodb", dynamodb],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    ready = None
    for line in process.stdout:
        if "Ctrl-C stops it" in line:
            ready = time.perf_counter() - started
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    if ready is None:
        raise SystemExit(f"serve --dynamodb {dynamodb} did not start")
    return ready


def overhead(requests: int) -> tuple[float, float]:
    from generator.stack.build import render
    from generator.stack.environments import ENVIRONMENTS
    from localapi.local_api import LocalApi
    from tests.support.api import (
        WRITE,
        LambdaContext,
        PartnerIdentity,
        as_partner,
        load_event,
        order_body,
    )

    template = render(ENVIRONMENTS["dev"]).editable()
    local = LocalApi(
        template,
        handlers_dir=ROOT / "handlers",
        port=free_port(),
        log=lambda line: None,
    )
    local.start()
    try:
        host, port = local.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port))
        partner = next(p for p in local.partners if WRITE in p.scopes and p.api_key)
        assert partner.api_key is not None
        token = access_token(connection, partner.client_id, partner.client_secret)
        headers = {
            "x-api-key": partner.api_key.value,
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        }
        connection.request("POST", "/orders", json.dumps(order_body()), headers)
        order_id = json.loads(connection.getresponse().read())["orderId"]

        def through_gateway() -> float:
            started = time.perf_counter()
            connection.request("GET", f"/orders/{order_id}", headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            return time.perf_counter() - started

        _take_function_environment(local, "QueryOrdersFunction")
        import query_orders

        identity = PartnerIdentity(partner.name, partner.client_id, partner.api_key.key_id)
        event = as_partner(load_event("get_order.json"), identity)
        event["pathParameters"] = {"orderId": order_id}
        event["path"] = f"/orders/{order_id}"
        devnull = os.open(os.devnull, os.O_WRONLY)

        def direct() -> float:
            saved = os.dup(1)
            os.dup2(devnull, 1)  # the handler's log lines
            try:
                started = time.perf_counter()
                response = query_orders.handler(dict(event), LambdaContext())
                elapsed = time.perf_counter() - started
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            assert response["statusCode"] == 200, response
            return elapsed

        for _ in range(30):  # warm both paths
            through_gateway()
            direct()
        gateway_times, direct_times = [], []
        for _ in range(requests):
            gateway_times.append(through_gateway())
            direct_times.append(direct())
        return statistics.median(gateway_times), statistics.median(direct_times)
    finally:
        local.stop()


def _take_function_environment(local: Any, function_name: str) -> None:
    """This process gets the environment serve gives the function, to call its handler."""
    function = local.api.functions[function_name]
    resolved = local.aws.resolver().resolve(dict(function.environment))
    os.environ.update({name: str(value) for name, value in resolved.items()})
    os.environ.update(
        AWS_ENDPOINT_URL=local.aws.endpoint_url, AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION=local.aws.region,
        POWERTOOLS_TRACE_DISABLED="true",
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    for dynamodb, timings in start_up(args.runs).items():
        print(f"serve --dynamodb {dynamodb} start-up ({args.runs} runs): "
              f"median {statistics.median(timings):.2f} s, min {min(timings):.2f} s, "
              f"max {max(timings):.2f} s")  # fmt: skip
    through, direct = overhead(args.requests)
    print(f"GET /orders/{{id}}, p50 of {args.requests}: through serve {through * 1000:.2f} ms, "
          f"handler called directly {direct * 1000:.2f} ms, "
          f"gateway overhead {(through - direct) * 1000:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
