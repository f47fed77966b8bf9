"""Load on `python -m generator serve`: open-loop at a fixed rate, then a burst (prints figures).

    python benchmarks/load.py [--rate 100] [--duration 60] [--burst 200] [--workers 4]
                              [--dynamodb local|moto]

1. Steady: --rate requests a second for --duration seconds, each sent at its scheduled time
   whether or not earlier ones have been answered (open loop), and timed from that scheduled
   time, so a stalled server shows as latency instead of as fewer requests. The mix is
   POST /orders 30 %, GET /orders/{id} 40 %, PUT /orders/{id} 15 % (confirming an order
   placed earlier in the run), GET /orders/customer/{id} 15 %.
2. Burst: --burst requests released at the same instant, each on its own connection.

For each: p50, p95, p99 and max latency, throughput, and counts by status; a 429 from the
gateway (stage throttle or usage plan) is counted apart from one from the function (the
per-customer hourly limit). Goal on a 2-core machine, this script included: p99 < 100 ms at
100 requests a second with no 5XX.

serve runs in its own process, as a user runs it, on 127.0.0.1 only; this script stops it,
and stops by itself: every request has a 30 s timeout and each phase a deadline.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partner_token import access_token  # beside this script, on its sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

HOST = "127.0.0.1"
# serve prints each partner's credentials on a line of its banner
PARTNER_LINE = re.compile(
    r"^  (\S+): client id (\S+), client secret (\S+), API key (\S+), scopes (.+)$"
)
WRITE_SCOPE = "orders-api/orders.write"
REQUEST_TIMEOUT = 30.0
CUSTOMERS = 400  # orders spread so that no customer nears its hourly limit (150)
MIX = (("POST", 30), ("GET", 40), ("PUT", 15), ("LIST", 15))


@dataclass(frozen=True)
class Outcome:
    route: str
    status: int  # 0: no answer (connection error or timeout)
    latency: float
    gateway_throttle: bool = False


@dataclass
class Orders:
    """Ids of orders placed during the run: the GETs read them, the PUTs confirm them once."""

    placed: list[str] = field(default_factory=list)
    to_confirm: queue.SimpleQueue[str] = field(default_factory=queue.SimpleQueue)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, order_id: str) -> None:
        with self.lock:
            self.placed.append(order_id)
        self.to_confirm.put(order_id)

    def any(self, pick: random.Random) -> str:
        with self.lock:
            return pick.choice(self.placed)


@dataclass(frozen=True)
class Partner:
    """The partner the load comes from: what serve printed of it."""

    name: str
    client_id: str
    client_secret: str
    api_key: str


class Client:
    """One kept-alive HTTP connection per thread, as an SDK's connection pool would keep; one
    access token for the whole run, as a partner should reuse it."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.headers = headers
        self.local = threading.local()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            self.local.connection = connection
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, data, headers)
            response = connection.getresponse()
            payload = response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                self.local.connection = None
            return response.status, payload
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            return 0, b""


def order_body(customer: str) -> dict[str, Any]:
    return {
        "customerId": customer,
        "items": [
            {"productId": "p-burger", "quantity": 2, "price": 8.5},
            {"productId": "p-fries", "quantity": 1, "price": 3.25},
        ],
        "deliveryAddress": {"street": "1 Main St", "city": "Springfield", "zipCode": "12345"},
    }


def send(client: Client, orders: Orders, route: str, pick: random.Random) -> tuple[int, bytes]:
    customer = f"load-{pick.randrange(CUSTOMERS)}"
    if route == "PUT":
        try:
            order_id = orders.to_confirm.get_nowait()
        except queue.Empty:
            route = "GET"
        else:
            return client.call("PUT", f"/orders/{order_id}", {"status": "confirmed"})
    if route == "GET":
        return client.call("GET", f"/orders/{orders.any(pick)}")
    if route == "LIST":
        return client.call("GET", f"/orders/customer/{customer}?limit=10")
    status, payload = client.call("POST", "/orders", order_body(customer))
    if status == 201:
        orders.add(json.loads(payload)["orderId"])
    return status, payload


def timed(
    client: Client, orders: Orders, route: str, pick: random.Random, scheduled: float
) -> Outcome:
    status, payload = send(client, orders, route, pick)
    latency = time.perf_counter() - scheduled
    # The gateway's own 429 bodies are {"message": ...}; the function's are {"error": ...}.
    gateway_throttle = status == 429 and payload.startswith(b'{"message"')
    return Outcome(route, status, latency, gateway_throttle)


def steady(client: Client, orders: Orders, rate: float, duration: float) -> list[Outcome]:
    routes = [route for route, weight in MIX for _ in range(weight)]
    pick = random.Random(1)  # the same sequence of routes and customers every run
    total = int(rate * duration)
    plan = [pick.choice(routes) for _ in range(total)]
    results: list[Outcome] = []
    pool = ThreadPoolExecutor(max_workers=64)
    start = time.perf_counter() + 0.1
    futures = []
    for index, route in enumerate(plan):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(timed, client, orders, route, random.Random(index), scheduled))
    deadline = start + duration + REQUEST_TIMEOUT + 5
    for route, future in zip(plan, futures, strict=True):
        try:
            results.append(future.result(timeout=max(0.0, deadline - time.perf_counter())))
        except TimeoutError:  # still queued or in flight at the deadline: not answered
            results.append(Outcome(route, 0, deadline - start))
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def burst(port: int, headers: dict[str, str], orders: Orders, size: int) -> list[Outcome]:
    routes = itertools.cycle(route for route, weight in MIX for _ in range(weight // 5))
    clients = [Client(port, headers) for _ in range(size)]
    gate = threading.Barrier(size + 1)
    released: list[float] = []
    results: list[Outcome] = []
    lock = threading.Lock()

    def one(client: Client, route: str, seed: int) -> None:
        # Connect before the barrier, so the burst is of requests rather than of handshakes.
        client.local.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        client.local.connection.connect()
        gate.wait(timeout=60)
        outcome = timed(client, orders, route, random.Random(seed), released[0])
        with lock:
            results.append(outcome)

    threads = [
        threading.Thread(target=one, args=(client, next(routes), seed), daemon=True)
        for seed, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    released.append(time.perf_counter())
    gate.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 5)
    return results


def report(title: str, outcomes: list[Outcome], elapsed: float, *, burst: bool) -> None:
    answered = [o for o in outcomes if o.status]
    latencies = sorted(o.latency for o in answered)
    statuses = Counter(o.status for o in outcomes)
    gateway_429 = sum(o.gateway_throttle for o in outcomes)
    print(title)
    if latencies:
        cut = statistics.quantiles(latencies, n=100, method="inclusive")
        print(
            f"   latency p50 {cut[49] * 1000:7.1f} ms   p95 {cut[94] * 1000:7.1f} ms"
            f"   p99 {cut[98] * 1000:7.1f} ms   max {latencies[-1] * 1000:7.1f} ms"
        )
    print(
        f"   {len(outcomes)} requests in {elapsed:.1f} s: {len(answered) / elapsed:.1f} answered/s"
    )
    print(
        "   status "
        + ", ".join(
            f"{status or 'no answer'}: {count}" for status, count in sorted(statuses.items())
        )
        + f"   (429 from the gateway: {gateway_429}, from the function: "
        f"{statuses[429] - gateway_429})"
    )
    by_route = Counter(o.route for o in outcomes)
    print("   routes " + ", ".join(f"{route} {by_route[route]}" for route, _ in MIX))
    five_xx = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    if burst:  # the burst's goal: every request answered, none with a 5XX
        met = five_xx == 0
        print(f"   goal all answered and no 5XX: {'met' if met else 'NOT met'}")
    elif latencies:
        met = cut[98] < 0.100 and five_xx == 0
        print(f"   goal p99 < 100 ms and no 5XX: {'met' if met else 'NOT met'}")


def start_serve(workers: int, dynamodb: str | None) -> tuple[subprocess.Popen[str], int, Partner]:
    from localapi.aws import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port),
         "--workers", str(workers), *(["--dynamodb", dynamodb] if dynamodb else [])],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    writer = None
    for line in process.stdout:
        printed = PARTNER_LINE.match(line.rstrip("\n"))
        if printed and writer is None and WRITE_SCOPE in printed[5].split():
            writer = Partner(*printed.groups()[:4])
        if "Ctrl-C stops it" in line or time.monotonic() > deadline:
            break
    if writer is None:
        stop_serve(process)
        raise SystemExit("serve did not start, or printed no partner that may place orders")
    # Keep reading its access log, or serve would block on a full pipe.
    threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
    return process, port, writer


def dynamodb_of(process: subprocess.Popen[str]) -> str:
    """What serves serve's tables: DynamoDB Local when it runs one, else moto."""
    for child in _children(process.pid):
        try:
            if b"LoopbackDynamoDBLocal" in Path(f"/proc/{child}/cmdline").read_bytes():
                return "DynamoDB Local"
        except OSError:
            continue
    return "moto"


def partner_token(port: int, partner: Partner) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        return access_token(connection, partner.client_id, partner.client_secret)
    finally:
        connection.close()


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


def stop_serve(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def warm_up(client: Client, orders: Orders, workers: int) -> None:
    """Not measured: orders to read and confirm from the first request on, and every worker
    of both functions started (each worker's first request is a cold start, as in Lambda)."""
    for index in range(50):
        status, payload = client.call("POST", "/orders", order_body(f"load-{index}"))
        if status != 201:
            raise SystemExit(f"warm-up order answered {status}: {payload[:200]!r}")
        orders.add(json.loads(payload)["orderId"])
    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        for _ in range(3):
            list(
                pool.map(
                    lambda index: send(client, orders, ("POST", "LIST")[index % 2],
                                       random.Random(index)),
                    range(2 * workers),
                )
            )  # fmt: skip


def cpu_seconds(serve_pid: int) -> Counter[str]:
    """CPU time used so far by serve's gateway, its moto, DynamoDB Local and its function
    workers (Linux)."""
    used: Counter[str] = Counter()
    tick = os.sysconf("SC_CLK_TCK")
    pids = [serve_pid, *_children(serve_pid)]
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # a worker that ended
            continue
        part = (
            "gateway" if pid == serve_pid
            else "moto" if b"moto_host" in command
            else "DynamoDB Local" if b"LoopbackDynamoDBLocal" in command
            else "functions"
        )  # fmt: skip
        used[part] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return used


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def phase(
    title: str, run: Callable[[], list[Outcome]], serve_pid: int, *, burst: bool = False
) -> None:
    before, cpu_started = cpu_seconds(serve_pid), time.process_time()
    started = time.perf_counter()
    outcomes = run()
    report(title, outcomes, time.perf_counter() - started, burst=burst)
    used = cpu_seconds(serve_pid) - before
    used["load generator"] = time.process_time() - cpu_started
    answered = sum(1 for outcome in outcomes if outcome.status) or 1
    print(
        "   CPU per answered request: "
        + ", ".join(
            f"{part} {used[part] / answered * 1000:.1f} ms"
            for part in ("gateway", "moto", "DynamoDB Local", "functions", "load generator")
            if part in used
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100, help="requests a second")
    parser.add_argument("--duration", type=float, default=60, help="seconds of steady load")
    parser.add_argument("--burst", type=int, default=200, help="concurrent requests")
    parser.add_argument("--workers", type=int, default=4, help="serve's workers per function")
    parser.add_argument(
        "--dynamodb", choices=("local", "moto"), help="serve's --dynamodb (default: serve's)"
    )
    args = parser.parse_args(argv)
    if args.rate * args.duration + args.burst > 9_000:
        parser.error("more requests than a day's usage-plan quota leaves room for (10,000)")

    process, port, partner = start_serve(args.workers, args.dynamodb)
    try:
        headers = {
            "x-api-key": partner.api_key,
            "Authorization": f"Bearer {partner_token(port, partner)}",
        }
        client = Client(port, headers)
        orders = Orders()
        warm_up(client, orders, args.workers)
        print(
            f"serve on 127.0.0.1:{port}, {args.workers} workers per function, DynamoDB on "
            f"{dynamodb_of(process)}, requests as partner {partner.name}; "
            f"this machine: {os.cpu_count()} cores"
        )
        phase(
            f"1. steady: {args.rate:g} requests/s for {args.duration:g} s (open loop)",
            lambda: steady(client, orders, args.rate, args.duration),
            process.pid,
        )
        time.sleep(3)  # the stage's token bucket refills before the burst
        phase(
            f"2. burst: {args.burst} concurrent requests",
            lambda: burst(port, headers, orders, args.burst),
            process.pid,
            burst=True,
        )
    finally:
        stop_serve(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
