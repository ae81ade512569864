"""A real httpd 2.4 with mod_jk, or with mod_proxy, on a loopback port, started for one test and
stopped after it, to see what mod_jk really does with a workers file and mod_proxy with its
directives (the facts the CC603 family's and the mod_proxy parser's verdicts rely on).

Each run gets a throw-away ServerRoot (a temporary directory httpd's children can enter), an
httpd.conf of a few lines (prefork, and mod_jk with its log at debug level, its shared memory
file and the workers file given, or the mod_proxy modules), and a free port on a loopback
address of its own (127.x.y.z: a run that fails cannot take another run's httpd on a reused port
for its own). httpd runs in the
foreground in its own session, so that stopping it (SIGTERM to the process this helper
started) stops its children and nothing else. `Backend` is a minimal AJP13 server on
loopback, the stand-in for a Tomcat.
"""

from __future__ import annotations

import http.client
import os
import pwd
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from support import need, stop

APACHE2 = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
MOD_JK = MODULES / "mod_jk.so"
PREFORK = MODULES / "mod_mpm_prefork.so"
AUTHZ = MODULES / "mod_authz_core.so"  # without it httpd answers 500 ("couldn't check user")
# mod_proxy with AJP, balancing by requests (its default lbmethod), shared memory for balancers
PROXY_MODULES = ("proxy", "proxy_ajp", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests")
START_TIMEOUT = 15.0
UNSHARE = "/usr/bin/unshare"
# In its own mount namespace (private propagation, unshare's default), /etc/hosts is the file
# given first; then httpd is exec'd, so the PID stays the one this helper stops.
_OWN_HOSTS = 'mount --bind "$0" /etc/hosts && exec "$@"'


def need_httpd() -> None:
    """Skip (fail in CI) without Debian's apache2 and libapache2-mod-jk."""
    need(
        Path(APACHE2).exists() and all(path.exists() for path in (MOD_JK, PREFORK, AUTHZ)),
        f"needs apache2 and mod_jk ({APACHE2}, {MOD_JK})",
    )


def need_proxy_httpd() -> None:
    """Skip (fail in CI) without Debian's apache2 and its mod_proxy modules."""
    modules = [MODULES / f"mod_{name}.so" for name in PROXY_MODULES]
    need(
        Path(APACHE2).exists() and all(path.exists() for path in (PREFORK, AUTHZ, *modules)),
        f"needs apache2 with mod_proxy, mod_proxy_ajp and mod_proxy_balancer ({MODULES})",
    )


@dataclass
class Response:
    status: int | None  # None: the connection closed without an answer
    body: str


@dataclass
class Httpd:
    """What one run of httpd showed."""

    started: bool
    error_log: str  # httpd's ErrorLog and what it wrote to stderr
    jk_log: str  # mod_jk's log, at debug level
    responses: dict[str, Response] = field(default_factory=dict)

    def status_properties(self, path: str) -> dict[str, str]:
        """A status worker's `mime=prop` answer as a dict (the last value of a repeated key)."""
        lines = self.responses[path].body.splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)


def _own_address() -> str:
    """A loopback address few other runs use: ports are free per address."""
    return "127." + ".".join(str(random.randint(1, 254)) for _ in range(3))


def _free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _user() -> str:
    """As root httpd runs its children as User: www-data where there is one."""
    if os.geteuid() != 0:
        return ""
    try:
        pwd.getpwnam("www-data")
    except KeyError:
        return ""
    return "User www-data\nGroup www-data\n"


def _get(address: str, port: int, path: str, headers: Mapping[str, str]) -> Response:
    connection = http.client.HTTPConnection(address, port, timeout=20)
    try:
        connection.request("GET", path, headers=dict(headers))
        answer = connection.getresponse()
        return Response(answer.status, answer.read().decode("utf-8", "replace"))
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return Response(None, "")
    finally:
        connection.close()


def run_httpd(
    workers: str | bytes | None,
    conf: str = "JkMount /* lb\n",
    get: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    workers_file: bool = True,
    hosts: str | None = None,
) -> Httpd:
    """Start httpd with this workers file (None: JkWorkersFile names a file that is not there)
    and these extra httpd.conf lines, GET each path once it listens, then stop it. With
    `hosts`, httpd runs in a mount namespace of its own whose /etc/hosts is that text."""

    def jk(root: Path) -> str:
        names = root / "workers.properties"
        if isinstance(workers, str):
            names.write_text(workers, encoding="utf-8")
        elif workers is not None:
            names.write_bytes(workers)
        return _jk_lines(root, workers_file)

    return _httpd(jk, conf, get, headers or {}, hosts=hosts)


def _jk_lines(root: Path, workers_file: bool = True) -> str:
    """mod_jk's lines: its log at debug level, its shared memory, root/workers.properties."""
    return (
        f"LoadModule jk_module {MOD_JK}\n"
        f"JkLogFile {root}/mod_jk.log\nJkLogLevel debug\nJkShmFile {root}/jk.shm\n"
        + (f"JkWorkersFile {root}/workers.properties\n" if workers_file else "")
    )


def run_proxy_httpd(
    conf: str,
    get: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    modules: Sequence[str] = PROXY_MODULES,
    config_test: bool = False,
    hosts: str | None = None,
) -> Httpd:
    """Start httpd with mod_proxy, mod_proxy_ajp and mod_proxy_balancer (`modules`) and these
    httpd.conf lines, GET each path once it listens, then stop it; with `config_test`, only
    `apache2 -t` it (`started`: the configuration is accepted). `VHOST` in `conf` is the
    address and port httpd listens on, for a `<VirtualHost VHOST>`; `hosts` as for run_httpd."""

    def proxy(_root: Path) -> str:
        return "".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so\n" for name in modules)

    return _httpd(proxy, conf, get, headers or {}, config_test, hosts)


def _httpd(
    module_lines: Callable[[Path], str],
    conf: str,
    get: Sequence[str],
    headers: Mapping[str, str],
    config_test: bool = False,
    hosts: str | None = None,
) -> Httpd:
    """httpd on a throw-away ServerRoot: the common lines, the module's, then `conf`."""
    root = Path(tempfile.mkdtemp(prefix="cc-httpd-"))
    try:
        address, port = _configure(root, module_lines, conf)
        if config_test:
            return _config_test(root)
        argv = [APACHE2, "-f", str(root / "httpd.conf"), "-DFOREGROUND"]
        if hosts is not None:
            (root / "hosts").write_text(hosts, encoding="utf-8")
            argv = [UNSHARE, "--mount", "--", "sh", "-c", _OWN_HOSTS, str(root / "hosts"), *argv]
        return _run(root, argv, address, port, get, headers)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _configure(root: Path, module_lines: Callable[[Path], str], conf: str) -> tuple[str, int]:
    """Write root/httpd.conf: the common lines, the module's, then `conf`; returns the address
    and port it listens on."""
    root.chmod(0o755)
    address = _own_address()
    port = _free_port(address)
    text = (
        f"ServerRoot {root}\nServerName localhost\nListen {address}:{port}\n"
        f"LoadModule mpm_prefork_module {PREFORK}\nLoadModule authz_core_module {AUTHZ}\n"
        f"StartServers 1\nMinSpareServers 1\nMaxSpareServers 2\n{_user()}"
        f"PidFile {root}/httpd.pid\nErrorLog {root}/error.log\nLogLevel info\n" + module_lines(root)
    )
    body = conf.replace("VHOST", f"{address}:{port}")
    (root / "httpd.conf").write_bytes((text + body).encode("utf-8"))
    return address, port


@contextmanager
def serving_jk(
    workers: str, before: Callable[[Path], None] = lambda root: None
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """httpd with mod_jk and this workers file, running inside the block (its ServerRoot and
    process); `before(root)` runs once the files are written, before httpd starts."""
    root = Path(tempfile.mkdtemp(prefix="cc-httpd-"))
    try:
        (root / "workers.properties").write_text(workers, encoding="utf-8")
        address, port = _configure(root, _jk_lines, "")
        before(root)
        argv = [APACHE2, "-f", str(root / "httpd.conf"), "-DFOREGROUND"]
        with (root / "stderr").open("wb") as stderr:
            process = subprocess.Popen(
                argv, stdout=stderr, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                assert _wait_started(process, root, address, port), (root / "stderr").read_text()
                yield root, process
            finally:
                stop(process, grace_s=15)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _config_test(root: Path) -> Httpd:
    """`apache2 -t`: httpd reads the configuration as it does to start, and says what it refuses."""
    done = subprocess.run(
        [APACHE2, "-t", "-f", str(root / "httpd.conf")],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    return Httpd(done.returncode == 0, done.stdout + done.stderr, "")


def _run(
    root: Path,
    argv: Sequence[str],
    address: str,
    port: int,
    get: Sequence[str],
    headers: Mapping[str, str],
) -> Httpd:
    with (root / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            argv,
            stdout=stderr,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its SIGTERM to its process group stays in its group
        )
        try:
            started = _wait_started(process, root, address, port)
            responses = (
                {path: _get(address, port, path, headers) for path in get} if started else {}
            )
            time.sleep(0.3)  # children note their crashes, mod_jk flushes its log
        finally:
            stop(process, grace_s=15)

    def read(name: str) -> str:
        path = root / name
        return path.read_text("utf-8", "replace") if path.exists() else ""

    return Httpd(started, read("error.log") + read("stderr"), read("mod_jk.log"), responses)


def _wait_started(process: subprocess.Popen[bytes], root: Path, address: str, port: int) -> bool:
    """Started: the pid file is written (by the MPM, after every module's post-config, where
    mod_jk reads its workers) and the port answers. The port alone is not enough: httpd opens
    its listeners before post-config, so one that is about to refuse answers for a moment."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if (root / "httpd.pid").exists():
                socket.create_connection((address, port), timeout=0.2).close()
                return process.poll() is None
        except OSError:
            pass
        time.sleep(0.05)
    return False


# --- a stand-in Tomcat ------------------------------------------------------------------------


def _ajp_string(text: bytes) -> bytes:
    return struct.pack(">H", len(text)) + text + b"\x00"


def _ajp_packet(payload: bytes) -> bytes:
    return b"AB" + struct.pack(">H", len(payload)) + payload


class Backend:
    """An AJP13 server on loopback answering each forwarded request with 200 and its name as
    the body, and each CPing with a CPong. `first_bytes` records how each connection began;
    a connection that does not begin with AJP13's magic 0x12 0x34 is closed at once, as
    Tomcat's AJP connector closes it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.first_bytes: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _peer = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            head = connection.recv(4, socket.MSG_WAITALL)
            self.first_bytes.append(head)
            while len(head) == 4 and head[:2] == b"\x12\x34":
                body = connection.recv(struct.unpack(">H", head[2:])[0], socket.MSG_WAITALL)
                if body[:1] == b"\x0a":  # CPing
                    connection.sendall(_ajp_packet(b"\x09"))
                elif body[:1] == b"\x02":  # Forward Request
                    self._answer(connection)
                head = connection.recv(4, socket.MSG_WAITALL)

    def _answer(self, connection: socket.socket) -> None:
        text = self.name.encode()
        length = struct.pack(">H", len(text))
        headers = struct.pack(">H", 200) + _ajp_string(b"OK") + struct.pack(">H", 1)
        headers += b"\xa0\x03" + _ajp_string(str(len(text)).encode())  # Content-Length
        connection.sendall(_ajp_packet(b"\x04" + headers))
        connection.sendall(_ajp_packet(b"\x03" + length + text + b"\x00"))
        connection.sendall(_ajp_packet(b"\x05\x01"))


@contextmanager
def backends(*names: str) -> Iterator[dict[str, Backend]]:
    started = {name: Backend(name) for name in names}
    try:
        yield started
    finally:
        for backend in started.values():
            backend.close()


# --- httpd's own reading of a configuration ---------------------------------------------------

MOD_INFO = MODULES / "mod_info.so"  # its -D DUMP_CONFIG prints the tree httpd keeps


@dataclass
class ConfigTest:
    """What `apache2 -t` said of a configuration: whether it starts, what it printed, and with
    -D DUMP_CONFIG the directives httpd keeps (mod_info), each as
    (file, line, name, arguments, enclosing sections)."""

    ok: bool
    output: str
    kept: list[tuple[str, int, str, str, tuple[str, ...]]]


def config_test(conf: Path, dump: bool = True, timeout: float = START_TIMEOUT) -> ConfigTest:
    """`apache2 -t -f CONF` (with `-D DUMP_CONFIG`): httpd reads the configuration as it would
    start, evaluates what it evaluates while reading, runs the MPM's checks, and exits."""
    argv = [APACHE2, "-t", "-f", str(conf)] + (["-D", "DUMP_CONFIG"] if dump else [])
    run = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    output = run.stdout + run.stderr
    return ConfigTest(run.returncode == 0, output, _dumped(run.stdout) if dump else [])


def _dumped(text: str) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    """mod_info's dump: `# In file: F` and `#  N:` before each directive, nested by sections."""
    kept = []
    file, line, sections = "", 0, list[str]()
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("# In file: "):
            file = stripped[len("# In file: ") :]
        elif stripped.startswith("#") and stripped.endswith(":"):
            line = int(stripped[1:-1])
        elif stripped.startswith("</"):
            sections.pop()
        elif stripped and stripped != "Syntax OK":
            name, _, args = stripped.partition(" ")
            if name.startswith("<"):
                sections.append(stripped)
            else:
                kept.append((file, line, name, args, tuple(sections)))
    return kept
