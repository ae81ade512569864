"""The ssh transport against a real OpenSSH server on loopback (the `sshd` fixture)."""

from __future__ import annotations

import base64
import functools
import os
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paramiko import PKey
from sshd_server import SshServer
from support import need

from clustercheck.collect.transports import ssh as ssh_module
from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES, ConnectError, FileReadError
from clustercheck.collect.transports.hostkeys import HostKeyStore, KnownHostsFiles
from clustercheck.collect.transports.ssh import SshTransport
from clustercheck.collect.transports.ssh_config import parse_jump, resolve_route
from clustercheck.inventory.settings import NodeSettings, SshSettings

pytestmark = pytest.mark.sshd

EVIL = "a b 'c' \"d\" $(touch PWNED) `touch PWNED`; touch PWNED && echo x | cat > PWNED $HOME \\"


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the keys a test names may log in: an ssh-agent of the person running the tests
    would make the authentication tests depend on it."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture(scope="module")
def node(sshd: SshServer) -> Iterator[SshTransport]:
    """One connection shared by the module's read-only tests (as the product shares one)."""
    transport = SshTransport(sshd.node(), HostKeyStore())
    transport.connect()
    yield transport
    transport.close()


@pytest.fixture
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory on the server's side (the server runs on this machine)."""
    return tmp_path_factory.mktemp("node-files", numbered=True)


def connect(node: NodeSettings, store: HostKeyStore | None = None) -> SshTransport:
    transport = SshTransport(node, store or HostKeyStore())
    transport.connect()
    return transport


def connect_error(node: NodeSettings, store: HostKeyStore | None = None) -> str:
    transport = SshTransport(node, store or HostKeyStore())
    with pytest.raises(ConnectError) as caught:
        transport.connect()
    transport.close()
    message = str(caught.value)
    assert "\n" not in message
    return message


def ssh_connection(transport: SshTransport) -> str:
    return transport.run(["sh", "-c", "echo $SSH_CONNECTION"]).stdout.decode().strip()


# -- files ----------------------------------------------------------------------------------


def test_read_file(node: SshTransport, files: Path) -> None:
    (files / "server.xml").write_bytes(b"<Server port='8005'/>\n\xff")
    assert node.read_file(str(files / "server.xml")) == b"<Server port='8005'/>\n\xff"


def test_read_bigger_than_one_sftp_request(node: SshTransport, files: Path) -> None:
    data = os.urandom(300_000)
    (files / "big.bin").write_bytes(data)
    assert node.read_file(str(files / "big.bin")) == data


@pytest.mark.parametrize(
    ("name", "max_bytes", "kind"),
    [
        ("absent.xml", DEFAULT_MAX_BYTES, "missing"),
        ("big.xml", 10, "too_large"),
        (".", 10, "not_a_file"),
    ],
)
def test_read_file_errors(
    node: SshTransport, files: Path, name: str, max_bytes: int, kind: str
) -> None:
    (files / "big.xml").write_bytes(b"x" * 11)
    path = str(files / name)
    with pytest.raises(FileReadError) as caught:
        node.read_file(path, max_bytes)
    assert (caught.value.kind, caught.value.path) == (kind, path)
    assert str(caught.value).startswith(path)


def test_list_dir(node: SshTransport, files: Path) -> None:
    (files / "webapps" / "shop").mkdir(parents=True)
    (files / "webapps" / "shop.war").write_bytes(b"12345")
    (files / "webapps" / "link").symlink_to(files / "webapps" / "shop")
    entries = node.list_dir(str(files / "webapps"))
    assert [(e.name, e.is_dir, e.size) for e in entries] == [
        ("link", True, 0),
        ("shop", True, 0),
        ("shop.war", False, 5),
    ]


def test_list_dir_missing(node: SshTransport, files: Path) -> None:
    with pytest.raises(FileReadError) as caught:
        node.list_dir(str(files / "nope"))
    assert caught.value.kind == "missing"


def batch_files(root: Path) -> list[str]:
    """A folder with one of every kind of path a batch meets: what each gives alone, it must
    give in a batch."""
    (root / "empty").write_bytes(b"")
    (root / "small.xml").write_bytes(b"<Server/>\n\xff")
    (root / "big.bin").write_bytes(os.urandom(3 * 32768 + 17))  # several read requests
    (root / "cap").write_bytes(b"x" * 100_000)  # exactly the cap below
    (root / "over").write_bytes(b"x" * 100_001)
    (root / "caf\xe9".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(b"l1")
    (root / "link").symlink_to(root / "small.xml")
    (root / "dangling").symlink_to(root / "gone")
    (root / "dir").mkdir()
    os.mkfifo(root / "fifo")
    names = ["empty", "small.xml", "big.bin", "cap", "over", "link", "dangling", "dir", "fifo"]
    names += ["absent", "caf\udce9", "dir/absent"]
    return [str(root / name) for name in names]


def outcome(answer: bytes | FileReadError) -> object:
    return (answer.kind, str(answer)) if isinstance(answer, FileReadError) else answer


def test_read_files_gives_what_each_read_gives(node: SshTransport, files: Path) -> None:
    paths = batch_files(files)
    alone = {}
    for path in paths:
        try:
            alone[path] = outcome(node.read_file(path, 100_000))
        except FileReadError as exc:
            alone[path] = outcome(exc)
    before = node.exchanges
    batch = node.read_files([*paths, paths[0]], 100_000)
    assert node.exchanges == before + 1
    assert {path: outcome(answer) for path, answer in batch.items()} == alone
    assert alone[str(files / "cap")] == b"x" * 100_000
    assert [alone[str(files / n)][0] for n in ("over", "dir", "fifo", "absent")] == [  # type: ignore[index]
        "too_large", "not_a_file", "not_a_file", "missing"
    ]  # fmt: skip


def test_read_files_costs_three_round_trips_for_many(
    node: SshTransport, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stat, open and read, each one round for all the files; closes are not waited for."""
    from clustercheck.collect.transports import sftp_batch

    rounds: list[int] = []
    counted = sftp_batch._round

    def counting(sftp, requests):  # type: ignore[no-untyped-def]
        rounds.append(len(requests))
        return counted(sftp, requests)

    monkeypatch.setattr(sftp_batch, "_round", counting)
    for i in range(40):
        (files / f"f{i}.xml").write_bytes(b"<x/>" * i)
    found = node.read_files([str(files / f"f{i}.xml") for i in range(40)])
    assert [found[str(files / f"f{i}.xml")] for i in range(40)] == [b"<x/>" * i for i in range(40)]
    assert rounds == [40, 40, 79]  # an empty file needs no chunk before its end


def test_list_dirs_gives_what_each_listing_gives(node: SshTransport, files: Path) -> None:
    (files / "a" / "sub").mkdir(parents=True)
    for i in range(250):  # more than one readdir answer (OpenSSH sends 100 names each)
        (files / "a" / f"n{i}").write_bytes(b"x" * i)
    (files / "a" / "up").symlink_to(files)
    (files / "a" / "loop").symlink_to(files / "a" / "loop")
    (files / "file").write_bytes(b"")
    paths = [str(files / name) for name in ("a", "a/sub", "file", "absent")]
    alone: dict[str, object] = {}
    for path in paths:
        try:
            alone[path] = node.list_dir(path)
        except FileReadError as exc:
            alone[path] = outcome(exc)
    batch = node.list_dirs(paths)
    assert {p: a if isinstance(a, list) else outcome(a) for p, a in batch.items()} == alone
    listed = {e.name: e for e in alone[str(files / "a")]}  # type: ignore[attr-defined]
    assert len(listed) == 253 and listed["up"].is_dir and not listed["loop"].is_dir
    assert listed["n7"].size == 7
    assert alone[str(files / "file")] == ("missing", f"{files / 'file'}: not a directory")


def make_war(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as war:
        war.writestr("WEB-INF/web.xml", "<web-app><distributable/></web-app>")
        war.writestr("WEB-INF/lib/big.jar", os.urandom(200_000))


def test_open_binary_reads_one_zip_member(node: SshTransport, files: Path) -> None:
    make_war(files / "shop.war")
    with node.open_binary(str(files / "shop.war")) as handle, zipfile.ZipFile(handle) as war:
        assert war.read("WEB-INF/web.xml") == b"<web-app><distributable/></web-app>"


@pytest.mark.parametrize(
    ("entries", "member_bytes"),
    [
        pytest.param(3, 100, id="small"),
        pytest.param(3000, 100, id="index-larger-than-a-block"),
        pytest.param(3, 3_000_000, id="member-larger-than-a-round"),
        pytest.param(0, 0, id="only-the-member"),
    ],
)
def test_open_binary_reads_what_zipfile_reads_locally(
    node: SshTransport, files: Path, entries: int, member_bytes: int
) -> None:
    """The remote file is read in blocks around zipfile's seeks: every member comes out as a
    local read gives it, whatever the index's and the member's sizes against a block."""
    archive = files / "big.war"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as war:
        for i in range(entries):
            war.writestr(f"WEB-INF/classes/c{i:05}.class", b"x" * 40)
        war.writestr("WEB-INF/web.xml", os.urandom(member_bytes))
    before = node.exchanges
    with node.open_binary(str(archive)) as handle, zipfile.ZipFile(handle) as war:
        remote = {name: war.read(name) for name in ("WEB-INF/web.xml", war.namelist()[0])}
    with zipfile.ZipFile(archive) as war:
        assert remote == {name: war.read(name) for name in remote}
    assert node.exchanges == before + 1


def test_open_binary_missing(node: SshTransport, files: Path) -> None:
    with pytest.raises(FileReadError) as caught:
        node.open_binary(str(files / "absent.war"))
    assert caught.value.kind == "missing"


# -- commands -------------------------------------------------------------------------------


def test_a_connection_dropped_under_a_command_ends_it_at_once(sshd: SshServer) -> None:
    """The channel of a dropped connection is closed without an end of output: the command's
    wait ends there (its readiness never clears: waiting would spin to the timeout), as the
    node's lost connection."""
    with connect(sshd.node()) as transport:
        threading.Timer(0.5, lambda: transport._chain[-1].sock.close()).start()
        started = time.monotonic()
        with pytest.raises(ConnectError, match="connection lost"):
            transport.run(["sleep", "20"], timeout=15)
        assert time.monotonic() - started < 5


def test_run_returns_status_stdout_stderr(node: SshTransport) -> None:
    result = node.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.exit_status, result.stdout, result.stderr) == (3, b"out\n", b"err\n")
    assert not result.timed_out and not result.ok
    assert result.argv == ("sh", "-c", "echo out; echo err >&2; exit 3")


def test_run_feeds_stdin(node: SshTransport) -> None:
    data = os.urandom(3_000_000)  # more than paramiko's channel window
    result = node.run(["cat"], stdin=data)
    assert result.ok and result.stdout == data


def test_value_with_shell_syntax_is_one_literal_argument(node: SshTransport, files: Path) -> None:
    script = 'cd "$1"; shift; printf "%s\\n" "$#"; printf "%s" "$1"'
    result = node.run(["sh", "-c", script, "sh", str(files), EVIL])
    assert result.stdout == f"1\n{EVIL}".encode()
    assert not list(files.iterdir()), "something in the value was executed"


def test_big_stdout_and_stderr_do_not_deadlock(node: SshTransport) -> None:
    script = "head -c 6000000 /dev/zero >&2; head -c 5000000 /dev/zero; echo end >&2"
    result = node.run(["sh", "-c", script], timeout=15)
    assert result.ok
    assert len(result.stdout) == len(result.stderr) == DEFAULT_MAX_BYTES


def test_hung_command_times_out(node: SshTransport) -> None:
    start = time.monotonic()
    result = node.run(["sleep", "30"], timeout=1)
    assert (result.timed_out, result.exit_status) == (True, None)
    assert time.monotonic() - start < 2.5
    assert node.run(["true"]).ok, "the connection survives a timed-out command"


def test_one_connection_serves_every_call(sshd: SshServer, files: Path) -> None:
    (files / "a").write_text("a")
    with connect(sshd.node()) as transport:
        first = ssh_connection(transport)
        for _ in range(3):
            transport.read_file(str(files / "a"))
            transport.list_dir(str(files))
            assert ssh_connection(transport) == first
    client_port = first.split()[1]
    assert first.split()[3] == str(sshd.port) and client_port.isdigit()


def test_open_stream_round_trip(node: SshTransport) -> None:
    with node.open_stream(["sh", "-c", "while read x; do date +%s.%N; done"]) as stream:
        for _ in range(3):
            before = time.time()
            stream.write(b"\n")
            remote = float(stream.readline(timeout=5))
            assert before - 1 < remote < time.time() + 1


def test_open_stream_readline_times_out(node: SshTransport) -> None:
    with node.open_stream(["cat"]) as stream, pytest.raises(TimeoutError):
        stream.readline(timeout=0.3)


# -- host keys ------------------------------------------------------------------------------


def test_unknown_host_key_is_refused(sshd: SshServer, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.touch()
    message = connect_error(sshd.node("tomcat02", known_hosts=str(empty)))
    assert message.startswith(f"tomcat02 (127.0.0.1:{sshd.port}): unknown host key")
    assert f"[127.0.0.1]:{sshd.port}" in message and "ssh-ed25519 SHA256:" in message
    assert "--accept-new-host-keys" in message
    assert empty.read_text() == ""


@pytest.mark.parametrize("hashed", [False, True])
def test_accept_new_learns_the_key(sshd: SshServer, tmp_path: Path, hashed: bool) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(f"Host *\n  HashKnownHosts {'yes' if hashed else 'no'}\n")
    learnt = tmp_path / "new" / "known_hosts"
    node = sshd.node(known_hosts=str(learnt), config=str(config))
    connect(node, HostKeyStore(accept_new=True)).close()
    line = learnt.read_text()
    assert line.count("\n") == 1 and line.endswith(f" {sshd.host_public_key}\n")
    assert line.startswith("|1|") if hashed else line == sshd.known_hosts_line + "\n"
    connect(node).close()  # a later run knows it without accept_new


def test_changed_host_key_is_refused_even_with_accept_new(sshd: SshServer, tmp_path: Path) -> None:
    stranger = sshd.stranger_key.with_suffix(".pub").read_text().split()[:2]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{sshd.port} {' '.join(stranger)}\n")
    message = connect_error(sshd.node(known_hosts=str(known)), HostKeyStore(accept_new=True))
    assert f"host key for [127.0.0.1]:{sshd.port} has changed" in message
    assert known.read_text().count("\n") == 1


def test_revoked_host_key_is_refused(sshd: SshServer, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(f"{sshd.known_hosts_line}\n@revoked {sshd.known_hosts_line}\n")
    assert "is marked @revoked" in connect_error(sshd.node(known_hosts=str(known)))


def test_known_hosts_is_read_once_per_store(sshd: SshServer, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(sshd.known_hosts_line + "\n")
    node, store = sshd.node(known_hosts=str(known)), HostKeyStore()
    connect(node, store).close()
    known.write_text("")
    connect(node, store).close()  # the store still holds what it read
    assert "unknown host key" in connect_error(node)  # a new run reads the file again


def test_parallel_accept_new_records_the_key_once(sshd: SshServer, tmp_path: Path) -> None:
    learnt = tmp_path / "known_hosts"
    store = HostKeyStore(accept_new=True)
    nodes = [sshd.node(f"n{i}", known_hosts=str(learnt)) for i in range(8)]
    with ThreadPoolExecutor(len(nodes)) as pool:
        for transport in pool.map(lambda n: connect(n, store), nodes):
            transport.close()
    assert learnt.read_text() == sshd.known_hosts_line + "\n"


def random_host_key() -> PKey:
    blob = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    key_type, data = blob.split()
    return PKey.from_type_string(key_type.decode(), base64.b64decode(data))


@pytest.mark.parametrize(
    ("hosts", "name", "known"),
    [
        ("web1,10.0.0.5", "10.0.0.5", True),
        ("WEB1", "web1", True),
        ("*.example.com,!bad.example.com", "good.example.com", True),
        ("*.example.com,!bad.example.com", "bad.example.com", False),
        ("[10.0.0.?]:2222", "[10.0.0.7]:2222", True),
        ("[10.0.0.7]:2222", "10.0.0.7", False),
    ],
)
def test_known_hosts_patterns(tmp_path: Path, hosts: str, name: str, known: bool) -> None:
    key = random_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(f"# comment\n\ngarbage\n{hosts} {key.get_name()} {key.get_base64()} c\n")
    files = KnownHostsFiles(path)
    verify = functools.partial(HostKeyStore().verify, who="n", name=name, key=key, files=files)
    if known:
        verify()
    else:
        with pytest.raises(ConnectError, match="unknown host key"):
            verify()


def test_known_hosts_hashed_by_ssh_keygen(tmp_path: Path) -> None:
    need(shutil.which("ssh-keygen") is not None, "ssh-keygen not found (openssh-client)")
    key = random_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(f"[db.example.com]:2222 {key.get_name()} {key.get_base64()}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(path)], check=True, capture_output=True)
    assert path.read_text().startswith("|1|")
    files = KnownHostsFiles(path)
    HostKeyStore().verify(who="n", name="[db.example.com]:2222", key=key, files=files)
    with pytest.raises(ConnectError, match="unknown"):
        HostKeyStore().verify(who="n", name="db.example.com", key=key, files=files)


def test_hosts_known_by_rsa_negotiate_rsa_first(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("web1 ssh-rsa AAAAB3NzaC1yc2E=\n")
    types = HostKeyStore().known_key_types("web1", KnownHostsFiles(path))
    assert types == ("rsa-sha2-512", "rsa-sha2-256")


# -- failures to connect --------------------------------------------------------------------


def test_closed_port_is_connection_refused(sshd: SshServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    message = connect_error(sshd.node("tomcat02", port=port))
    assert message == f"tomcat02 (127.0.0.1:{port}): connection refused"


def test_wrong_key_is_authentication_failed(sshd: SshServer) -> None:
    message = connect_error(sshd.node(identity_file=str(sshd.stranger_key)))
    assert "authentication failed for user" in message and str(sshd.stranger_key) in message


def test_unset_password_variable_is_named(sshd: SshServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC_TEST_NO_SUCH_PASSWORD", raising=False)
    message = connect_error(sshd.node(password_env="CC_TEST_NO_SUCH_PASSWORD"))
    assert "CC_TEST_NO_SUCH_PASSWORD" in message and "not set" in message


def test_password_is_never_in_messages(sshd: SshServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_TEST_PASSWORD", "s3cr3t-value")
    message = connect_error(
        sshd.node(identity_file=str(sshd.stranger_key), password_env="CC_TEST_PASSWORD")
    )
    assert "$CC_TEST_PASSWORD" in message and "s3cr3t-value" not in message


# -- routes ---------------------------------------------------------------------------------


def test_proxy_jump_through_the_server_to_itself(
    sshd: SshServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tcp_connections: list[object] = []
    real = socket.create_connection

    def counting(*args: object, **kwargs: object) -> socket.socket:
        tcp_connections.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssh_module.socket, "create_connection", counting)
    jump = f"{sshd.user}@127.0.0.1:{sshd.port}"
    with connect(sshd.node(proxy_jump=f"{jump},{jump}")) as transport:
        assert transport.run(["echo", "hi"]).stdout == b"hi\n"
    assert len(tcp_connections) == 1, "only the outer bastion is reached directly"


def test_proxy_jump_failure_names_the_jump_host(sshd: SshServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    message = connect_error(sshd.node(proxy_jump=f"127.0.0.1:{port}"))
    assert message.endswith(f"via jump host 127.0.0.1:{port}: connection refused")


def test_ssh_config_alias(sshd: SshServer, tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(
        "Host shop-tomcat\n"
        f"  HostName {sshd.host}\n  Port {sshd.port}\n  User {sshd.user}\n"
        f"  IdentityFile {sshd.client_key}\n"
    )
    node = NodeSettings(
        name="t1",
        host="shop-tomcat",
        roles=("tomcat",),
        ssh=sshd.node(user=None, port=None, identity_file=None, config=str(config)).ssh,
    )
    with connect(node) as transport:
        assert transport.who == f"t1 (127.0.0.1:{sshd.port})"
        assert transport.run(["echo", "ok"]).stdout == b"ok\n"


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("bastion", (None, "bastion", None)),
        ("ops@bastion:2222", ("ops", "bastion", 2222)),
        ("ssh://ops@[fe80::1]:22", ("ops", "fe80::1", 22)),
        ("fe80::1", (None, "fe80::1", None)),
        ("bastion:ssh", (None, "", None)),
    ],
)
def test_parse_jump(spec: str, parsed: tuple[str | None, str, int | None]) -> None:
    assert parse_jump(spec) == parsed


def test_inventory_wins_over_ssh_config(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(
        "Host web1\n  HostName 10.0.0.5\n  Port 2200\n  User cfguser\n"
        "  IdentityFile /keys/cfg\n  ProxyJump cfgjump\n  UserKnownHostsFile /kh/extra\n"
    )
    ssh = SshSettings(user="inv", port=22, config=str(config), known_hosts="/kh/main")
    route = resolve_route(NodeSettings("web1", "web1", ("tomcat",), ssh=ssh))
    target = route.target
    assert (target.hostname, target.port, target.user) == ("10.0.0.5", 22, "inv")
    assert target.identity_files == (Path("/keys/cfg"),) and target.known_hosts_name == "10.0.0.5"
    assert [j.hostname for j in route.jumps] == ["cfgjump"]
    assert route.known_hosts.all == (Path("/kh/main"), Path("/kh/extra"))


# -- become ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def root_node(sshd: SshServer) -> Iterator[SshTransport]:
    need(os.path.exists("/usr/bin/sudo"), "sudo not installed (apt-get install sudo)")
    with connect(sshd.node(become=True)) as transport:
        yield transport


def test_become_runs_through_sudo(root_node: SshTransport) -> None:
    result = root_node.run(["sh", "-c", 'echo "$SUDO_COMMAND"'])
    assert result.ok, result.stderr
    assert result.stdout.decode().endswith('sh -c echo "$SUDO_COMMAND"\n')


def test_become_reads_lists_and_opens(root_node: SshTransport, files: Path) -> None:
    (files / "tomcat-users.xml").write_bytes(b"<tomcat-users/>")
    (files / "sub dir").mkdir()
    make_war(files / "shop.war")
    assert root_node.read_file(str(files / "tomcat-users.xml")) == b"<tomcat-users/>"
    names = {(e.name, e.is_dir) for e in root_node.list_dir(str(files))}
    assert names == {("tomcat-users.xml", False), ("sub dir", True), ("shop.war", False)}
    with root_node.open_binary(str(files / "shop.war")) as handle, zipfile.ZipFile(handle) as war:
        assert war.read("WEB-INF/web.xml").startswith(b"<web-app>")


@pytest.mark.parametrize(
    ("name", "max_bytes", "kind"),
    [("absent", DEFAULT_MAX_BYTES, "missing"), ("big", 10, "too_large"), (".", 10, "not_a_file")],
)
def test_become_read_errors(
    root_node: SshTransport, files: Path, name: str, max_bytes: int, kind: str
) -> None:
    (files / "big").write_bytes(b"x" * 11)
    with pytest.raises(FileReadError) as caught:
        root_node.read_file(str(files / name), max_bytes)
    assert caught.value.kind == kind


def test_become_reads_a_batch_through_commands(root_node: SshTransport, files: Path) -> None:
    (files / "a").write_bytes(b"1")
    found = root_node.read_files([str(files / "a"), str(files / "absent")])
    assert found[str(files / "a")] == b"1"
    assert outcome(found[str(files / "absent")])[0] == "missing"  # type: ignore[index]
    assert root_node.list_dirs([str(files)])[str(files)] == root_node.list_dir(str(files))


def test_become_password_variable_must_exist(sshd: SshServer) -> None:
    node = sshd.node(become=True, become_password_env="CC_TEST_NO_SUCH_SUDO_PASSWORD")
    assert "CC_TEST_NO_SUCH_SUDO_PASSWORD" in connect_error(node)
