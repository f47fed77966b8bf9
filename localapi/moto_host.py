"""moto's server in a process of its own: `python -m localapi.moto_host [SERVICE ...]`.

Started by LocalAws. It listens on a free port of 127.0.0.1, writes that port on a line of its
stdout, and serves until its stdin closes: when the gateway stops, or dies, so does moto. The
services named are loaded at once, in the background (moto loads each on its first request,
which takes up to a second or two), while the gateway gets ready.

A process of its own because moto is the hungriest part of a local stack (about 9 ms of CPU
per DynamoDB call on a 2-core machine): in the gateway's process it held the interpreter lock
the gateway needs to answer.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from moto.server import ThreadedMotoServer

LOOPBACK = "127.0.0.1"


def main() -> int:
    # One line per AWS call from werkzeug would drown the gateway's access log.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(port, flush=True)
    threading.Thread(target=_load, args=(sys.argv[1:],), daemon=True).start()
    sys.stdin.read()  # returns at end of file: the gateway is gone
    # moto keeps everything in memory: there is nothing to close or flush. Stopping its server
    # (up to half a second) and unloading its modules (another half) would only delay the
    # gateway's stop, which waits for this process to end.
    os._exit(0)


def _load(services: list[str]) -> None:
    from moto.backends import get_backend

    for service in services:
        get_backend(service)  # type: ignore[call-overload]  # names checked by moto at run time


if __name__ == "__main__":
    sys.exit(main())
