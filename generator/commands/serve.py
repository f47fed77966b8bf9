"""`python -m generator serve`: the environment's API on 127.0.0.1, read from its template,
with DynamoDB Local (where Java is found) and moto behind it and the handlers in worker
processes (localapi/)."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from generator.errors import UserError
from generator.files import describe_os_error, read_template
from generator.stack.environments import ENVIRONMENTS
from generator.stack.sources import HANDLERS

if TYPE_CHECKING:
    from localapi.dynamodb_local import DynamoDBLocal

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 3000
# localapi.http_server.CONNECTION_TIMEOUT_SECONDS, which says why (not imported here: localapi
# needs the serve extra, and --help must work without it).
DEFAULT_IDLE_TIMEOUT = 60.0


NAME = "serve"
HELP = "run the API on 127.0.0.1 from its template, with DynamoDB Local and moto behind it"
DESCRIPTION = (
    "Serve an environment's API locally, as API Gateway would serve it from the template "
    "(routes, the partners' tokens and API keys, request validation, CORS, gateway "
    "responses, usage plan and stage throttles), with the handlers in worker processes, "
    "the tables in Amazon's DynamoDB Local (where a Java runtime is found; downloaded once "
    "into a cache), moto as the rest of AWS and a local token endpoint for the partners' app "
    "clients. No AWS account, no Docker. Ctrl-C stops it."
)
# Without Java, in one line: what moto's DynamoDB limits, and how to get DynamoDB Local.
MOTO_LIMITS = (
    "moto's DynamoDB scans the whole table on each Query, so serve holds far less than the "
    "API's 100 requests a second"
)
WITHOUT_IT = "--dynamodb moto serves without DynamoDB Local"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env", choices=sorted(ENVIRONMENTS), default="dev", help="environment (default: dev)"
    )
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        help=f"address to listen on (default: {LOOPBACK}; anything else is reachable by others)",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help="port (default: 3000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        metavar="N",
        help="execution environments (worker processes) per function, at most (default: 4)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=seconds,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a connection whose client sends nothing for this long, between requests "
        "or half-way through one (default: 60)",
    )
    parser.add_argument(
        "--template-file",
        metavar="FILE",
        type=Path,
        help="serve this template instead of the environment's, as the generator builds it",
    )
    parser.add_argument(
        "--dynamodb",
        choices=("local", "moto"),
        help="where the tables are: local (Amazon's DynamoDB Local, on Java 17+; the default "
        "wherever a Java runtime is found) or moto (the default without one)",
    )
    parser.add_argument(
        "--install-dynamodb-local",
        action="store_true",
        help="download DynamoDB Local into the cache (once) and exit, without serving: for CI "
        "and before working offline",
    )


def port(value: str) -> int:
    """argparse type of --port: a TCP port number (0: any free one)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= number <= 65_535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {number}")
    return number


def seconds(value: str) -> float:
    """argparse type of --idle-timeout: a positive number of seconds."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not (number > 0 and math.isfinite(number)):
        raise argparse.ArgumentTypeError(f"a timeout is more than 0 seconds, not {value}")
    return number


class _Stopped(Exception):
    """SIGINT or SIGTERM arrived."""


def run(args: argparse.Namespace) -> int:
    if args.install_dynamodb_local:
        return _install_dynamodb_local()
    if args.workers < 1:
        raise UserError("--workers must be at least 1", status=2)
    try:
        from localapi.dynamodb_local import DynamoDBLocalError
        from localapi.local_api import LocalApi
        from localapi.template import TemplateError, read_api
    except ImportError as error:  # moto is a test and serve dependency, not the generator's
        raise UserError(f"serve needs {error.name}: pip install -e '.[serve]'") from error
    from generator.documents.openapi import UndocumentedRoute, build_document

    environment = ENVIRONMENTS[args.env]
    template = _template(args.template_file, args.env)
    try:
        read_api(template)
    except TemplateError as error:
        source = args.template_file or f"the {args.env} template"
        raise UserError(f"cannot serve {source}: {error}") from None
    try:
        document: dict[str, Any] | None = build_document(template)
    except UndocumentedRoute as error:
        print(f"warning: no OpenAPI document: {error.args[0]}", file=sys.stderr)
        document = None
    if args.host != LOOPBACK:
        print(
            f"warning: listening on {args.host}: others can reach this API and its data",
            file=sys.stderr,
        )
    local = LocalApi(
        template,
        handlers_dir=HANDLERS,
        host=args.host,
        port=args.port,
        stack_name=f"food-delivery-{environment.name}-local",
        workers_per_function=args.workers,
        openapi=document,
        connection_timeout=args.idle_timeout,
        dynamodb_local=_dynamodb_local(args.dynamodb),
        log=_log,
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # Raised in the main thread wherever it is: setting a threading.Event here instead
        # deadlocks when the signal lands while the main thread holds that Event's lock.
        raise _Stopped

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        try:
            local.start()
        except DynamoDBLocalError as error:
            raise UserError(f"{error} ({WITHOUT_IT})") from error
        except OSError as error:
            raise UserError(
                f"cannot listen on {args.host}:{args.port}: {describe_os_error(error)}"
            ) from error
        _banner(local, environment.name)
        # The handler raises out of the sleep. Not signal.pause(): a signal arriving just
        # before it would leave it waiting for another one.
        while True:
            time.sleep(1)
    except _Stopped:
        print("stopping", file=sys.stderr, flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second Ctrl-C must not cut stop short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        local.stop()
    return 0


def _dynamodb_local(choice: str | None) -> DynamoDBLocal | None:
    """The DynamoDB Local to run (installed first where it is not yet), or None for moto's
    DynamoDB: asked for, or no Java runtime to run DynamoDB Local on (said in one line)."""
    if choice == "moto":
        return None
    from localapi import dynamodb_local

    java = dynamodb_local.find_java()
    problem = dynamodb_local.java_problem(java)
    if problem is not None or java is None:
        _on_moto(choice, problem, f"install Java 17+ ({dynamodb_local.JAVA_INSTALL})")
        return None
    try:
        found = dynamodb_local.install(java, progress=sys.stderr)
    except dynamodb_local.NoCompilerModule as error:
        _on_moto(choice, str(error), f"install a JDK 17+ ({dynamodb_local.JDK_INSTALL})")
        return None
    except dynamodb_local.DynamoDBLocalError as error:
        raise UserError(f"{error} ({WITHOUT_IT})") from error
    return dynamodb_local.DynamoDBLocal(found, java)


def _on_moto(choice: str | None, problem: str | None, install: str) -> None:
    """No DynamoDB Local on this Java: a one-line error where it was asked for, else moto's
    DynamoDB, said in one line with what that limits and what to install."""
    if choice == "local":
        raise UserError(f"--dynamodb local: {problem}; {install}")
    print(f"DynamoDB on moto: {problem}; {MOTO_LIMITS}. For DynamoDB Local, {install}.",
          file=sys.stderr)  # fmt: skip


def _install_dynamodb_local() -> int:
    from localapi import dynamodb_local

    try:
        found = dynamodb_local.install_here(progress=sys.stderr)
    except dynamodb_local.DynamoDBLocalError as error:
        raise UserError(str(error)) from error
    print(f"DynamoDB Local {dynamodb_local.DYNAMODB_LOCAL_VERSION} is installed in {found.home}")
    return 0


def _template(path: Path | None, env: str) -> dict[str, Any]:
    if path is None:
        from generator.stack.build import render

        return render(ENVIRONMENTS[env]).editable()
    return read_template(path)


_OUTPUT = threading.Lock()


def _log(line: str) -> None:
    # Access-log lines and each worker's lines come from different threads; print() writes a
    # line and its newline separately, so two lines could run into one.
    with _OUTPUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _banner(local: Any, env: str) -> None:
    from generator.stack.api_contract import ROUTES

    def say(line: str = "") -> None:
        _log(line)  # the warmed workers may already be writing

    aws = local.aws
    if aws.dynamodb_local is not None:
        behind = (
            f"{aws.dynamodb_name} at {aws.dynamodb_endpoint_url}, "
            f"the rest of AWS on moto at {aws.endpoint_url}"
        )
    else:
        behind = f"AWS on moto at {aws.endpoint_url} (DynamoDB included)"
    say(f"food-delivery {env} API on {local.url} (stage {local.api.stage_name}), {behind}")
    say(f"Token endpoint {local.url}/oauth2/token, keys {local.url}/.well-known/jwks.json")
    say("Partners (new credentials each start):")
    for partner in local.partners:
        key = partner.api_key.value if partner.api_key else "-"
        say(
            f"  {partner.name}: client id {partner.client_id}, client secret "
            f"{partner.client_secret}, API key {key}, scopes {' '.join(partner.scopes)}"
        )
    say(f"OpenAPI document: {local.url}/_local/openapi.json")
    if local.partners:
        first = local.partners[0]
        key = first.api_key.value if first.api_key else "KEY"
        say("try (a token lives 60 minutes: reuse it):")
        say(
            f"  TOKEN=$(curl -s -u '{first.client_id}:{first.client_secret}' "
            f"-d grant_type=client_credentials {local.url}/oauth2/token "
            """| python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"""
        )
        for route in ROUTES:
            if route.example:
                say(
                    f'  curl -s {local.url}{route.example} -H "Authorization: Bearer $TOKEN" '
                    f"-H 'x-api-key: {key}'"
                )
    say("Ctrl-C stops it")
