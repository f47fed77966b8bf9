"""`python -m generator serve` over real HTTP: the order API as API Gateway serves it from the
template, the gateway's own answers, throttles and quotas, failing functions, shutdown."""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.localapi.conftest import Served, start_serve
from tests.support import cli
from tests.support.api import order_body

CORS_ORIGIN = "access-control-allow-origin"


def test_an_order_lives_its_whole_life_through_the_local_api(served: Served) -> None:
    # Given an order placed with the key
    customer = f"serve-{time.monotonic_ns()}"
    created = served.call("POST", "/orders", body=order_body(customerId=customer))
    assert created.status == 201, created.body
    order = created.json()
    assert (order["status"], order["version"]) == ("pending", 1)
    assert created.headers[CORS_ORIGIN] == "*"
    assert created.headers["etag"] == '"1"'

    # When it is read, confirmed and listed
    read = served.call("GET", f"/orders/{order['orderId']}")
    confirmed = served.call(
        "PUT",
        f"/orders/{order['orderId']}",
        body={"status": "confirmed"},
        headers={"If-Match": '"1"'},
    )
    listed = served.call("GET", f"/orders/customer/{customer}?limit=5")

    # Then each answers as the function does behind API Gateway
    assert read.status == 200
    assert read.json()["orderId"] == order["orderId"]
    assert confirmed.status == 200, confirmed.body
    assert (confirmed.json()["status"], confirmed.json()["version"]) == ("confirmed", 2)
    assert listed.status == 200
    assert [o["orderId"] for o in listed.json()["orders"]] == [order["orderId"]]
    # And the access log named the function that answered each
    served.wait_for_line(
        lambda line: '"POST /orders" 201' in line and "OrderProcessorFunction" in line
    )
    served.wait_for_line(
        lambda line: (
            f'"GET /orders/{order["orderId"]}" 200' in line and "QueryOrdersFunction" in line
        )
    )


@pytest.mark.parametrize("key", [None, "not-the-key"])
def test_a_missing_or_wrong_api_key_is_forbidden(served: Served, key: str | None) -> None:
    headers = {"x-api-key": key} if key else {}
    reply = served.call("GET", "/orders/customer/c-1", headers=headers, key=False)
    assert reply.status == 403
    assert reply.body == b'{"message":"Forbidden"}'
    assert reply.headers["x-amzn-errortype"] == "ForbiddenException"
    assert reply.headers[CORS_ORIGIN] == "*"  # the template's DEFAULT_4XX gateway response


def test_the_api_key_header_name_is_case_insensitive(served: Served) -> None:
    reply = served.call(
        "GET", "/orders/customer/c-1", headers={"X-API-KEY": served.api_key}, key=False
    )
    assert reply.status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nothing-here"), ("DELETE", "/orders"), ("GET", "/orders/customer"), ("GET", "/")],
)
def test_an_unknown_path_or_method_is_a_missing_authentication_token(
    served: Served, method: str, path: str
) -> None:
    reply = served.call(method, path)
    assert reply.status == 403
    assert reply.body == b'{"message":"Missing Authentication Token"}'
    assert reply.headers[CORS_ORIGIN] == "*"


def test_a_body_the_model_refuses_is_a_400_before_any_function_runs(served: Served) -> None:
    # Given a POST whose JSON body lacks what the Order model requires
    before = served.settled_line_count()
    reply = served.call("POST", "/orders", body={"customerId": "c-1"})
    # Then API Gateway's validator answers, with its own body and CORS headers
    assert reply.status == 400
    assert reply.body == b'{"message": "Invalid request body"}'
    assert reply.headers[CORS_ORIGIN] == "*"
    # And no function ran: the access log names the gateway response, not a function
    line = served.wait_for_line(lambda line: '"POST /orders" 400' in line, since=before)
    assert line.endswith("BAD_REQUEST_BODY")
    function_lines = [
        logged
        for logged in served.log_lines_since(before)
        if logged.startswith("[OrderProcessorFunction]")
    ]
    assert not function_lines


def test_a_body_of_another_content_type_is_left_to_the_function(served: Served) -> None:
    # API Gateway validates only against the model of the request's content type
    reply = served.call(
        "POST", "/orders", raw=b'{"customerId": "c-1"}', headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 400
    assert reply.json()["error"]["code"] == "ValidationError"  # the handler's own answer


def test_preflight_needs_no_key_and_allows_the_api_headers(served: Served) -> None:
    reply = served.call(
        "OPTIONS",
        "/orders/customer/c-1",
        key=False,
        headers={"Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "GET"},
    )
    assert reply.status == 204
    assert reply.headers[CORS_ORIGIN] == "*"
    assert "X-Api-Key" in reply.headers["access-control-allow-headers"]
    assert "GET" in reply.headers["access-control-allow-methods"]
    assert reply.body == b""


def test_errors_of_the_handlers_carry_cors_headers_too(served: Served) -> None:
    reply = served.call("GET", "/orders/00000000-0000-4000-8000-000000000000")
    assert reply.status == 404
    assert reply.json()["error"]["code"] == "OrderNotFound"
    assert reply.headers[CORS_ORIGIN] == "*"


def test_the_openapi_document_is_served_beside_the_api(served: Served) -> None:
    reply = served.call("GET", "/_local/openapi.json", key=False)
    assert reply.status == 200
    assert reply.json()["paths"]["/orders"]["post"]["operationId"] == "createOrder"


def _template_copy(tmp_path: Path, change: Any) -> Path:
    template = render(ENVIRONMENTS["dev"]).editable()
    changed = copy.deepcopy(template)
    change(changed["Resources"])
    path = tmp_path / "template.json"
    path.write_text(json.dumps(changed))
    return path


def test_the_usage_plan_throttles_then_its_quota_runs_out(tmp_path: Path) -> None:
    # Given a template copy whose usage plan lets a key burst 2 requests, refills one in 1,000
    # seconds (never, for this test), and allows 1 request a day
    def small_plan(resources: dict[str, Any]) -> None:
        plan = resources["ApiUsagePlan"]["Properties"]
        plan["Throttle"] = {"RateLimit": 0.001, "BurstLimit": 2}
        plan["Quota"] = {"Limit": 1, "Period": "DAY"}

    served = start_serve("--template-file", str(_template_copy(tmp_path, small_plan)))
    try:
        path = "/orders/customer/quota-test"
        served.token()  # obtained ahead: the burst is the API's requests alone
        # When four requests come at once (the gateway decides on arrival, in API Gateway's
        # order: the throttle, then the quota)
        with ThreadPoolExecutor(max_workers=4) as pool:
            replies = list(pool.map(lambda _: served.call("GET", path), range(4)))
        # Then the burst lets two past the throttle, and the quota one of those two
        bodies = sorted((reply.status, reply.body) for reply in replies)
        assert [status for status, _ in bodies] == [200, 429, 429, 429]
        assert [body for status, body in bodies if status == 429] == [
            b'{"message":"Limit Exceeded"}',
            b'{"message":"Too Many Requests"}',
            b'{"message":"Too Many Requests"}',
        ]
        exhausted = next(reply for reply in replies if b"Limit Exceeded" in reply.body)
        assert exhausted.headers["x-amzn-errortype"] == "LimitExceededException"
        assert all(reply.headers[CORS_ORIGIN] == "*" for reply in replies)
    finally:
        served.stop()


def test_a_function_that_raises_is_a_502_and_the_others_still_serve(tmp_path: Path) -> None:
    # Given a template copy whose query function's handler raises on every call
    # (json.loads(event, context) is a TypeError)
    def raising_query(resources: dict[str, Any]) -> None:
        resources["QueryOrdersFunction"]["Properties"]["Handler"] = "json.loads"

    served = start_serve("--template-file", str(_template_copy(tmp_path, raising_query)))
    try:
        reply = served.call("GET", "/orders/customer/c-1")
        assert reply.status == 502
        assert reply.body == b'{"message": "Internal server error"}'
        assert reply.headers[CORS_ORIGIN] == "*"  # DEFAULT_5XX
        # And the function's own error shows in the log; the other function is unharmed
        served.wait_for_line(
            lambda line: line.startswith("[QueryOrdersFunction]") and "TypeError" in line
        )
        assert served.call("POST", "/orders", body=order_body()).status == 201
    finally:
        served.stop()


def test_ctrl_c_stops_the_gateway_its_workers_and_moto() -> None:
    # Given a running serve that has started its workers
    served = start_serve()
    assert served.call("GET", "/orders/customer/c-1").status == 200
    workers = _children(served.process.pid)
    assert workers, "the functions run in worker processes"
    port = int(served.url.rsplit(":", 1)[1])
    # When it gets SIGINT (Ctrl-C)
    status = served.stop(signal.SIGINT)
    # Then it exits cleanly, leaves no worker, and frees its port
    assert status == 0
    assert not [pid for pid in workers if _alive(pid)]
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_to_the_process_group_stops_everything_without_a_traceback(signum: int) -> None:
    # Given serve leading a process group, as a terminal starts it, whose two functions have
    # each served a request (their workers have imported the handlers)
    served = start_serve(new_session=True)
    children: list[int] = []
    try:
        assert served.call("POST", "/orders", body=order_body()).status == 201
        assert served.call("GET", "/orders/customer/c-1").status == 200
        children = _children(served.process.pid)
        assert len(children) >= 3, "a worker per function, and moto"
        # (each request's access line and its function's metrics line are printed as the
        # answer leaves, and relayed from the worker's stderr: wait for them all)
        for expected in (
            '"POST /orders" 201',
            '"GET /orders/customer/c-1" 200',
            '[OrderProcessorFunction] {"_aws"',
            '[QueryOrdersFunction] {"_aws"',
        ):
            served.wait_for_line(lambda line, expected=expected: expected in line)
        # When the signal goes to the whole group, as the terminal's Ctrl-C does
        os.killpg(served.process.pid, signum)
        status = served.process.wait(timeout=30)
        # Then serve stops cleanly, leaving no worker and no moto behind
        assert status == 0
        assert [pid for pid in children if _alive(pid)] == []
        # And nothing printed a traceback, neither serve nor a worker
        assert served.output_closed.wait(timeout=10)
        output = "\n".join(served.lines)
        assert "Traceback" not in output, output
        assert "KeyboardInterrupt" not in output, output
        assert served.lines[-1] == "stopping"
    finally:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGKILL)
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_sigterm_the_moment_it_is_ready_stops_it() -> None:
    # Given serve that has just said it is ready (the signal lands while the main thread is
    # settling into its wait: the window where a handler that set an Event could deadlock)
    served = start_serve()
    # When SIGTERM arrives at once
    status = served.stop(signal.SIGTERM)
    # Then it stops cleanly and says so
    assert status == 0
    served.wait_for_line(lambda line: line == "stopping")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"a": 1}', "not a CloudFormation template: no Resources"),
        ('{"Resources": {}}', "expected one AWS::ApiGateway::RestApi"),
        ("[1, 2]", "not a JSON template"),
    ],
    ids=["no-resources", "no-api", "not-an-object"],
)
def test_a_template_file_that_cannot_be_served_is_a_one_line_error(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "template.json"
    path.write_text(content)
    result = cli.run(["-m", "generator", "serve", "--template-file", str(path)])
    cli.assert_clean_error(result, 1, "python -m generator serve: error:", str(path), says)


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_that_is_not_one_is_a_usage_error(port: str) -> None:
    result = cli.run(["-m", "generator", "serve", "--port", port])
    cli.assert_clean_error(result, 2, "python -m generator serve: error: argument --port")


@pytest.mark.parametrize("seconds", ["0", "-1", "soon", "nan", "inf"])
def test_an_idle_timeout_that_is_not_a_positive_duration_is_a_usage_error(seconds: str) -> None:
    result = cli.run(["-m", "generator", "serve", "--idle-timeout", seconds])
    cli.assert_clean_error(result, 2, "python -m generator serve: error: argument --idle-timeout")


def test_the_idle_timeout_serve_defaults_to_is_the_local_apis() -> None:
    # serve cannot import localapi for its --help (moto is an extra): the value is written twice
    from generator.commands import serve
    from localapi.http_server import CONNECTION_TIMEOUT_SECONDS

    assert serve.DEFAULT_IDLE_TIMEOUT == CONNECTION_TIMEOUT_SECONDS
