"""A real browser calls the local API from another origin: headless Chromium (Debian's
`chromium`) loads a page served on another port, whose script posts orders with `fetch`, the
partner's API key and token. The preflight must pass, and the page must be able to read a 201
and API Gateway's own 400 (CORS on the template's gateway responses)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.localapi.conftest import Served
from tests.support import prerequisites
from tests.support.api import order_body

pytestmark = pytest.mark.browser
PAGE = """<!doctype html>
<html><body><pre id="out">pending</pre>
<script>
const api = API_URL, key = API_KEY, token = TOKEN, order = ORDER;
async function call(body) {
  const reply = await fetch(api + "/orders", {
    method: "POST",
    headers: {
      "Content-Type": "application/json", "X-Api-Key": key, "Authorization": "Bearer " + token,
    },
    body: JSON.stringify(body),
  });
  return {status: reply.status, body: await reply.json()};
}
(async () => {
  const created = await call(order);
  const refused = await call({});
  document.getElementById("out").textContent = JSON.stringify({created, refused});
})().catch(error => { document.getElementById("out").textContent = "failed: " + error; });
</script></body></html>
"""


@pytest.fixture
def page_origin(served: Served) -> Iterator[str]:
    """A page on another origin (another port of 127.0.0.1) that calls the API."""
    page = (
        PAGE.replace("API_URL", json.dumps(served.url))
        .replace("API_KEY", json.dumps(served.api_key))
        # A partner's front end gets its token from the partner's own server
        .replace("TOKEN", json.dumps(served.token()))
        .replace("ORDER", json.dumps(order_body(customerId="browser-1")))
        .encode()
    )

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_reads_a_201_and_the_gateways_400(
    served: Served, page_origin: str, tmp_path: Path
) -> None:
    chromium = prerequisites.chromium()
    before = served.settled_line_count()
    # When headless Chromium loads the page and runs its script to the end
    dom = subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page_origin,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # Then the page could read both answers
    text = dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    results = json.loads(text.replace("&quot;", '"').replace("&amp;", "&"))
    assert results["created"]["status"] == 201
    assert results["created"]["body"]["customerId"] == "browser-1"
    assert results["refused"] == {"status": 400, "body": {"message": "Invalid request body"}}
    # And the browser asked first: a preflight, answered without the key
    preflights = [
        line for line in served.log_lines_since(before) if '"OPTIONS /orders" 204' in line
    ]
    assert preflights
