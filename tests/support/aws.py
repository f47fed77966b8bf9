"""Local AWS for the tests: a moto server on 127.0.0.1 and tables built from the template.

Nothing here fakes an AWS API: boto3 talks HTTP to moto's server, or moto's in-process mock.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any

from localapi.aws import create_table

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


def resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def create_tables_from_template(
    dynamodb_client: Any, template: Mapping[str, Any], table_names: Mapping[str, str]
) -> None:
    """Create the template's tables (logical id -> physical name in table_names), TTL included,
    as `serve` creates them."""
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    for logical_id, table_name in table_names.items():
        create_table(dynamodb_client, tables[logical_id]["Properties"], table_name)


def parameter_values(template: Mapping[str, Any]) -> dict[str, Any]:
    """The SSM parameters' values as the template writes them, by logical id."""
    return {
        logical_id: resource["Properties"]["Value"]
        for logical_id, resource in resources_of_type(template, "AWS::SSM::Parameter").items()
    }


class SerialMotoServer:
    """moto's own server application answering one request at a time, on 127.0.0.1.

    DynamoDB applies each conditional write atomically; moto checks a condition and writes
    without a lock, so two requests that overlap in its threaded server can both pass the
    same condition. One request at a time restores what DynamoDB guarantees, for tests of
    concurrent writers. It serves the same in-process moto state as the tests' moto_server.
    """

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class OneRequestPerConnection(MotoRequestHandler):
            # HTTP/1.0: each request closes its connection, so no client's idle keep-alive
            # connection can hold the single worker.
            protocol_version = "HTTP/1.0"

        self._server = make_server(
            "127.0.0.1",
            0,
            DomainDispatcherApplication(create_backend_app),
            threaded=False,
            request_handler=OneRequestPerConnection,
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SerialMotoServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
