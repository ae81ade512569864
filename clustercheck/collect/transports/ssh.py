"""The SSH transport (paramiko): one connection per node, reused by every command, read and probe.

What keeps it fast: the socket is opened here with TCP_NODELAY (paramiko leaves Nagle on, which
costs ~40 ms per request/response round trip) and acknowledges at once (quickack.py: sshd's own
Nagle against our delayed ACK stalled a fresh connection's first exec ~40 ms), curve25519 and
ed25519 are preferred (paramiko
does finite-field DH in pure Python), and known_hosts comes from the run's shared HostKeyStore.
Every failure to reach a node becomes a one-line ConnectError naming the node and address.

What keeps it bounded: every request waits at most the node's timeouts (paramiko waits for some
answers forever), a command that outlives its timeout is killed on the node with its process
group, and an SFTP server that stops answering is dropped for commands.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, TypeVar, cast

import paramiko

from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    MAX_DIR_ENTRIES,
    Capped,
    CommandRefused,
    CommandResult,
    ConnectError,
    DirEntry,
    FileReadError,
    LineReader,
    each_path,
    over_cap,
)
from clustercheck.collect.transports.hostkeys import HostKeyStore
from clustercheck.collect.transports.localfs import file_error, too_many_entries
from clustercheck.collect.transports.quickack import quick_ack
from clustercheck.collect.transports.sftp_batch import RemoteFile, list_many, read_many
from clustercheck.collect.transports.shells import Unquotable, command_line
from clustercheck.collect.transports.ssh_config import Hop, Route, resolve_route
from clustercheck.inventory.settings import NodeSettings

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["HostKeyStore", "SshStream", "SshTransport"]  # HostKeyStore: built once per run

# paramiko logs a failed handshake with a traceback from its thread; without a handler of the
# application's, Python would print it on stderr, in the middle of the report. Failures reach
# the user as ConnectError instead.
logging.getLogger("paramiko").addHandler(logging.NullHandler())

# Key exchanges first in this order; paramiko's others (finite-field DH last) stay as fallbacks.
_KEX_FIRST = (
    "curve25519-sha256@libssh.org",
    "mlkem768x25519-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
)
_HOST_KEY_FIRST = ("ssh-ed25519",)
_CHUNK = 32768
T = TypeVar("T")
_STDIN_POLL_S = 0.01  # how often to retry feeding stdin while the remote window is full

# File access through a command, for `become` (SFTP cannot sudo) or a server without SFTP.
# The path is a positional argument, never part of the script; exit codes say what went wrong.
# Only regular files are read, and never more than the cap; a listing follows symlinks (%Y: a
# loop is `L`, not an error that loses the whole listing) and stops after its cap.
_READ_SCRIPT = (
    '[ -e "$1" ] || exit 3; [ -f "$1" ] || exit 4; [ -r "$1" ] || exit 5; '
    'n=$(wc -c < "$1") || exit 5; [ "$n" -le "$2" ] || { echo "$n"; exit 6; }; '
    'exec head -c "$(($2 + 1))" -- "$1"'
)
_LIST_SCRIPT = (
    '[ -e "$1" ] || exit 3; [ -d "$1" ] || exit 4; [ -r "$1" ] && [ -x "$1" ] || exit 5; '
    r'find "$1" -mindepth 1 -maxdepth 1 -printf "%Y %s %f\0" | head -z -n "$2"'
)
# Every POSIX command runs under coreutils' timeout ($0 seconds), which kills the command's
# whole process group on the node when it is over: closing the channel would leave it running.
_BOUNDED = 'command -v timeout >/dev/null 2>&1 && exec timeout -k 1 "$0" "$@"; exec "$@"'
_KILLED = (124, 137)  # timeout's status when it stopped the command (TERM, then KILL)
_KILL_GRACE_S = 2.0  # TERM, one second to KILL, and the way back

_READ_EXITS = {
    3: ("missing", "no such file"),
    4: ("not_a_file", "not a regular file"),
    5: ("denied", "permission denied"),
    6: ("too_large", ""),
}
_LIST_EXITS = {
    3: ("missing", "no such directory"),
    4: ("missing", "not a directory"),
    5: ("denied", "permission denied"),
}


def _prefer(first: Sequence[str], available: Sequence[str]) -> tuple[str, ...]:
    """`available` with the members of `first` moved to the front, in `first`'s order."""
    return tuple(dict.fromkeys([*(a for a in first if a in available), *available]))


def _secret(node: str, variable: str | None, field: str) -> str | None:
    """A password referenced by environment variable; the message names the variable only."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise ConnectError(f"{node}: environment variable {variable} (ssh.{field}) is not set")
    return value


def _reason(exc: BaseException, timeout: float) -> str:
    """A short, user-facing reason for a failure to reach or set up a hop."""
    match exc:
        case ConnectionRefusedError():
            return "connection refused"
        case socket.gaierror():
            return f"cannot resolve the host name ({exc.strerror})"
        case TimeoutError():
            return f"no answer within {timeout:g} s"
        case paramiko.ChannelException():
            return f"the jump host could not connect to it ({exc.text})"
        case paramiko.SSHException() | EOFError():
            return f"SSH handshake failed ({exc or 'connection closed'})"
        case OSError():
            return exc.strerror or str(exc)
    return str(exc)


@contextlib.contextmanager
def _answer_within(chan: paramiko.Channel, seconds: float) -> Iterator[None]:
    """paramiko waits for the reply to a channel request (exec, subsystem) without a timeout:
    the channel is closed if none comes in time, and the wait ends in TimeoutError."""
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        chan.close()

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except (OSError, EOFError, paramiko.SSHException):
        if fired.is_set():
            raise TimeoutError(f"no answer within {seconds:g} s") from None
        raise
    finally:
        timer.cancel()


def _drain(chan: paramiko.Channel, out: Capped, err: Capped) -> None:
    while chan.recv_ready():
        out.add(chan.recv(_CHUNK))
    while chan.recv_stderr_ready():
        err.add(chan.recv_stderr(_CHUNK))


def _feed(chan: paramiko.Channel, pending: bytes) -> bytes:
    """Send what the remote window takes without blocking; send EOF once all is sent."""
    if pending and chan.send_ready():
        try:
            pending = pending[chan.send(pending[:_CHUNK]) :]
        except OSError:  # the command exited without reading its input
            pending = b""
    if not pending and not chan.eof_sent:
        chan.shutdown_write()
    return pending


def _collect(
    chan: paramiko.Channel, stdin: bytes, deadline: float, cap: int
) -> tuple[bytes, bytes, bool]:
    """stdout and stderr read together until the command ends (so a full stderr cannot stall
    stdout), and whether it ended before `deadline`. A channel closed without an end of output
    (the connection dropped) ends the wait: its readiness would never clear."""
    out, err = Capped(cap), Capped(cap)
    pending = _feed(chan, stdin)
    with selectors.DefaultSelector() as selector:
        selector.register(chan, selectors.EVENT_READ)
        while not chan.eof_received and not chan.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(out.data), bytes(err.data), False
            selector.select(min(remaining, _STDIN_POLL_S) if pending else remaining)
            _drain(chan, out, err)
            pending = _feed(chan, pending)
    _drain(chan, out, err)
    finished = chan.status_event.wait(max(0.0, deadline - time.monotonic()))
    return bytes(out.data), bytes(err.data), finished


class SshStream:
    """A long-lived remote command: write to it, read its lines. A probe that samples many
    times (the clock) uses one warm channel instead of paying an exec per sample."""

    def __init__(self, channel: paramiko.Channel, write_timeout: float) -> None:
        self._chan = channel
        self._write_timeout = write_timeout
        self._lines = LineReader(self._recv)

    def _recv(self, timeout: float) -> bytes | None:
        self._chan.settimeout(timeout)
        try:
            chunk = self._chan.recv(_CHUNK)
        except TimeoutError:
            return None
        while self._chan.recv_stderr_ready():  # unread stderr would stall the channel
            self._chan.recv_stderr(_CHUNK)
        return chunk

    def write(self, data: bytes) -> None:
        """Raises TimeoutError when the node takes nothing within the node's command timeout."""
        self._chan.settimeout(self._write_timeout)
        self._chan.sendall(data)

    def readline(self, timeout: float) -> bytes:
        """The next line with its newline; b"" at end of output; TimeoutError after `timeout`."""
        return self._lines.readline(timeout)

    def read_until(self, marker: bytes, timeout: float, cap: int) -> bytes:
        return self._lines.read_until(marker, timeout, cap)

    def close(self) -> None:
        self._chan.close()

    def __enter__(self) -> SshStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SshTransport:
    """A node reached over SSH, directly or through ProxyJump bastions."""

    kind = "ssh"
    live = True

    def __init__(self, node: NodeSettings, host_keys: HostKeyStore) -> None:
        self.node = node
        self.route: Route | None = None
        self._host_keys = host_keys
        self._lock = threading.RLock()
        self._chain: list[paramiko.Transport] = []  # bastions first, the node last
        self._sftp: paramiko.SFTPClient | None = None
        self._sftp_problem: str | None = None  # why files go through commands instead
        self._become_password: str | None = None
        self._sudo_needs_password: bool | None = None
        self.exchanges = 0

    @property
    def who(self) -> str:
        """The node and address, as every message of this transport starts."""
        address = self.route.target.address if self.route else self.node.host
        return f"{self.node.name} ({address})"

    # -- connecting -----------------------------------------------------------------------

    def connect(self) -> None:
        with self._lock:
            if self._chain:
                return
            ssh = self.node.ssh
            password = _secret(self.node.name, ssh.password_env, "password_env")
            if ssh.become:
                self._become_password = _secret(
                    self.node.name, ssh.become_password_env, "become_password_env"
                )
            self.route = route = resolve_route(self.node)
            chain: list[paramiko.Transport] = []
            try:
                for hop in route.hops:
                    via = chain[-1] if chain else None
                    secret = password if hop is route.target else None
                    chain.append(self._open_hop(route, hop, via, secret))
            except BaseException:
                for transport in reversed(chain):
                    transport.close()
                raise
            self._chain = chain

    def _label(self, route: Route, hop: Hop) -> str:
        suffix = "" if hop is route.target else f" via jump host {hop.address}"
        return f"{self.who}{suffix}"

    def _open_hop(
        self, route: Route, hop: Hop, via: paramiko.Transport | None, password: str | None
    ) -> paramiko.Transport:
        label, timeout = self._label(route, hop), self.node.ssh.connect_timeout
        transport: paramiko.Transport | None = None
        try:
            transport = paramiko.Transport(_open_socket(hop, via, timeout))
            transport.banner_timeout = transport.handshake_timeout = timeout
            transport.auth_timeout = timeout
            self._handshake(transport, route, hop, label, timeout)
            _authenticate(transport, hop, password, self.node.ssh.password_env, label)
            return transport
        except ConnectError:
            _close_quietly(transport)
            raise
        except (OSError, EOFError, paramiko.SSHException) as exc:
            _close_quietly(transport)
            raise ConnectError(f"{label}: {_reason(exc, timeout)}") from None

    def _handshake(
        self, transport: paramiko.Transport, route: Route, hop: Hop, label: str, timeout: float
    ) -> None:
        options = transport.get_security_options()
        options.kex = _prefer(_KEX_FIRST, options.kex)
        known = self._host_keys.known_key_types(hop.known_hosts_name, route.known_hosts)
        options.key_types = _prefer((*known, *_HOST_KEY_FIRST), options.key_types)
        transport.start_client(timeout=timeout)
        self._host_keys.verify(
            who=label,
            name=hop.known_hosts_name,
            key=transport.get_remote_server_key(),
            files=route.known_hosts,
        )

    def _transport(self) -> paramiko.Transport:
        self.connect()
        transport = self._chain[-1]
        if not transport.is_active():
            raise ConnectError(f"{self.who}: connection lost")
        return transport

    def _active(self) -> bool:
        chain = self._chain
        return bool(chain) and chain[-1].is_active()

    def _channel(self) -> paramiko.Channel:
        try:
            return self._transport().open_session(timeout=self.node.ssh.connect_timeout)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectError(f"{self.who}: cannot open a channel ({exc})") from None

    # -- commands -------------------------------------------------------------------------

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        return self._run(tuple(argv), timeout=timeout, stdin=stdin, cap=DEFAULT_MAX_BYTES)

    def _run(
        self, argv: tuple[str, ...], *, timeout: float | None, stdin: bytes | None, cap: int
    ) -> CommandResult:
        """On sh, the node kills the command at `timeout` (this side waits a little longer, or
        closing the channel first would let the command's children live on); elsewhere,
        Windows OpenSSH ends the session's processes when the channel closes."""
        limit = self.node.ssh.command_timeout if timeout is None else timeout
        bounded = self.node.shell == "sh"
        remote = ("sh", "-c", _BOUNDED, f"{limit:.3f}", *argv) if bounded else argv
        feed = stdin
        if self.node.ssh.become:
            remote, feed = self._as_root(remote, stdin)
        wait = limit + _KILL_GRACE_S if bounded else limit
        result = self._exec(argv, remote, feed or b"", wait, cap)
        if bounded and result.exit_status in _KILLED and result.duration_s >= limit:
            return dataclasses.replace(result, exit_status=None, timed_out=True)
        return result

    def _command_line(self, remote: Sequence[str]) -> bytes:
        try:
            return command_line(self.node.shell, remote)
        except Unquotable as exc:
            raise CommandRefused(f"{self.who}: {exc}") from None

    def _start(self, chan: paramiko.Channel, command: bytes) -> None:
        """The exec request, answered within the connect timeout or the connection is lost."""
        try:
            with _answer_within(chan, self.node.ssh.connect_timeout):
                chan.exec_command(command)
        except TimeoutError as exc:
            raise ConnectError(f"{self.who}: a command got {exc}") from None

    def _exec(
        self, argv: tuple[str, ...], remote: Sequence[str], stdin: bytes, timeout: float, cap: int
    ) -> CommandResult:
        """Run `remote` (quoted for the node's shell); the result names `argv`, what the caller
        asked for."""
        start = time.monotonic()
        command = self._command_line(remote)
        self.exchanges += 1
        chan = self._channel()
        try:
            self._start(chan, command)
            out, err, finished = _collect(chan, stdin, start + timeout, cap)
            if not chan.eof_received and not self._active():
                raise ConnectError(f"{self.who}: connection lost during {argv[0]}")
            status = chan.recv_exit_status() if finished else -1
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectError(f"{self.who}: connection lost ({exc})") from None
        finally:
            chan.close()
        return CommandResult(
            argv,
            None if status < 0 else status,  # -1: killed by a signal, or timed out
            out,
            err,
            timed_out=not finished,
            duration_s=time.monotonic() - start,
        )

    def _as_root(
        self, argv: tuple[str, ...], stdin: bytes | None
    ) -> tuple[tuple[str, ...], bytes | None]:
        """The sudo form of argv. With a password, `-k` makes sudo always read it first, so it
        can never reach the command's stdin because sudo had cached credentials."""
        password = self._become_password
        if password is None or not self._sudo_asks_password():
            return ("sudo", "-n", "--", *argv), stdin
        feed = password.encode() + b"\n" + (stdin or b"")
        return ("sudo", "-k", "-S", "-p", "", "--", *argv), feed

    def _sudo_asks_password(self) -> bool:
        """Whether sudo wants a password here (asked once: NOPASSWD rules need none, and a
        password sent anyway would become the command's input)."""
        if self._sudo_needs_password is None:
            probe = ("sudo", "-n", "true")
            result = self._exec(probe, probe, b"", self.node.ssh.command_timeout, 4096)
            self._sudo_needs_password = not result.ok
        return self._sudo_needs_password

    def open_stream(self, argv: Sequence[str]) -> SshStream:
        """A long-lived command (as the login user, never through sudo) for line-based probes;
        it ends when its input does, when the stream is closed."""
        command = self._command_line(argv)
        self.exchanges += 1
        chan = self._channel()
        try:
            self._start(chan, command)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            chan.close()
            raise ConnectError(f"{self.who}: cannot start {argv[0]} ({exc})") from None
        except ConnectError:
            chan.close()
            raise
        return SshStream(chan, self.node.ssh.command_timeout)

    # -- files ----------------------------------------------------------------------------

    def _sftp_client(self) -> paramiko.SFTPClient | None:
        """The transport's one SFTP session, opened on first use; None when files must go
        through commands (become, a server without the sftp subsystem, or one that stopped
        answering)."""
        if self.node.ssh.become:
            return None
        with self._lock:
            if self._sftp is None and self._sftp_problem is None:
                self._sftp = self._open_sftp()
            return self._sftp

    def _open_sftp(self) -> paramiko.SFTPClient | None:
        """SFTP with every request bounded: the subsystem must start within the connect timeout
        (a hung sftp-server never sends its version), then each request gets the command
        timeout."""
        timeout = self.node.ssh.connect_timeout
        chan = self._channel()
        try:
            with _answer_within(chan, timeout):
                chan.invoke_subsystem("sftp")
            chan.settimeout(timeout)
            sftp = paramiko.SFTPClient(chan)
        except TimeoutError:
            self._sftp_problem = f"the SFTP server did not answer within {timeout:g} s"
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self._sftp_problem = f"no SFTP ({exc or 'refused'})"
        else:
            chan.settimeout(self.node.ssh.command_timeout)
            return sftp
        chan.close()
        return None

    def _drop_sftp(self) -> None:
        """An SFTP request timed out: the session is closed and later reads use commands."""
        with self._lock:
            sftp, self._sftp = self._sftp, None
            timeout = self.node.ssh.command_timeout
            self._sftp_problem = f"the SFTP server stopped answering (over {timeout:g} s)"
        _close_quietly(sftp)

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        return _one(path, self.read_files([path], max_bytes))

    def read_files(
        self, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES
    ) -> dict[str, bytes | FileReadError]:
        """Pipelined SFTP requests (sftp_batch: three round trips for the lot); through
        commands, one file at a time."""
        sftp = self._sftp_client()
        if sftp is not None and paths:
            try:
                with self._session_lost():
                    self.exchanges += 1
                    return read_many(sftp, paths, max_bytes)
            except TimeoutError:
                self._drop_sftp()
        return each_path(paths, lambda path: self._read_by_command(path, max_bytes))

    def list_dirs(self, paths: Sequence[str]) -> dict[str, list[DirEntry] | FileReadError]:
        sftp = self._sftp_client()
        if sftp is not None and paths:
            try:
                with self._session_lost():
                    self.exchanges += 1
                    found = list_many(sftp, paths)
            except TimeoutError:
                self._drop_sftp()
            else:
                return {path: _sorted(listed) for path, listed in found.items()}
        return each_path(paths, lambda path: _sorted(self._list_by_command(path)))

    @contextlib.contextmanager
    def _session_lost(self) -> Iterator[None]:
        """The connection dropped under an SFTP request: the node's ConnectError. A timeout
        passes through: the caller drops the session and goes on with commands."""
        try:
            yield
        except TimeoutError:
            raise
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectError(f"{self.who}: connection lost ({exc or 'closed'})") from None

    def open_binary(self, path: str) -> BinaryIO:
        """A seekable SFTP file (only what zipfile seeks to crosses the wire); through commands,
        the file's bytes up to the cap."""
        sftp = self._sftp_client()
        if sftp is not None:
            try:
                self.exchanges += 1
                with _file_errors(path, self.who):
                    handle = RemoteFile(sftp, path)
                return cast(BinaryIO, _SftpFile(handle, self._drop_sftp))
            except TimeoutError:
                self._drop_sftp()
        return io.BytesIO(self._read_by_command(path, DEFAULT_MAX_BYTES))

    def list_dir(self, path: str) -> list[DirEntry]:
        return _one(path, self.list_dirs([path]))

    def _file_command(self, path: str, script: str, limit: int, cap: int) -> CommandResult:
        """A file script run through the node's POSIX shell (never another: there is none to
        read files with on Windows without SFTP)."""
        if self.node.shell != "sh":
            reason = self._sftp_problem or "no SFTP"
            raise FileReadError(path, "error", f"{path}: {reason}, and no POSIX shell to read it")
        try:
            result = self._run(
                ("sh", "-c", script, "sh", path, str(limit)), timeout=None, stdin=None, cap=cap
            )
        except CommandRefused as exc:
            raise FileReadError(path, "error", f"{path}: {exc}") from None
        return result

    def _read_by_command(self, path: str, max_bytes: int) -> bytes:
        result = self._file_command(path, _READ_SCRIPT, max_bytes, max_bytes + 1)
        _check_script(path, result, _READ_EXITS, max_bytes)
        if len(result.stdout) > max_bytes:
            raise over_cap(path, len(result.stdout), max_bytes)
        return result.stdout

    def _list_by_command(self, path: str) -> list[DirEntry]:
        result = self._file_command(path, _LIST_SCRIPT, MAX_DIR_ENTRIES + 1, DEFAULT_MAX_BYTES)
        _check_script(path, result, _LIST_EXITS, 0)
        records = [record for record in result.stdout.split(b"\0") if record]
        if len(records) > MAX_DIR_ENTRIES:
            raise too_many_entries(path)
        entries = (_find_entry(record) for record in records)
        return [entry for entry in entries if entry is not None]

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            sftp, chain = self._sftp, self._chain
            self._sftp, self._chain = None, []
        _close_quietly(sftp)
        for transport in reversed(chain):
            _close_quietly(transport)

    def __enter__(self) -> SshTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _open_socket(
    hop: Hop, via: paramiko.Transport | None, timeout: float
) -> socket.socket | paramiko.Channel:
    """A TCP socket with Nagle off that acknowledges at once, or a direct-tcpip tunnel through
    the previous hop."""
    if via is not None:
        return via.open_channel(
            "direct-tcpip", (hop.hostname, hop.port), ("127.0.0.1", 0), timeout=timeout
        )
    sock = socket.create_connection((hop.hostname, hop.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return quick_ack(sock)


def _close_quietly(resource: paramiko.Transport | paramiko.SFTPClient | None) -> None:
    if resource is not None:
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            resource.close()


# -- authentication -------------------------------------------------------------------------

Attempt = Callable[[paramiko.Transport], object]


def _authenticate(
    transport: paramiko.Transport,
    hop: Hop,
    password: str | None,
    password_env: str | None,
    label: str,
) -> None:
    """Try the hop's keys, then the agent's, then the password; stop at the first success."""
    tried: list[str] = []
    agent = None if hop.identities_only else _agent()
    try:
        for description, attempt in _attempts(hop, agent, password, password_env, tried):
            tried.append(description)
            with contextlib.suppress(paramiko.SSHException):
                attempt(transport)
            if transport.is_authenticated():
                return
    finally:
        if agent is not None:
            agent.close()
    raise ConnectError(
        f"{label}: authentication failed for user {hop.user} "
        f"(tried: {', '.join(tried) or 'no key, agent or password available'})"
    )


def _agent() -> paramiko.Agent | None:
    """The ssh-agent named by SSH_AUTH_SOCK, or None when there is none that answers."""
    try:
        return paramiko.Agent()
    except paramiko.SSHException:
        return None


def _attempts(
    hop: Hop,
    agent: paramiko.Agent | None,
    password: str | None,
    password_env: str | None,
    tried: list[str],
) -> Iterator[tuple[str, Attempt]]:
    """(what, how) pairs in ssh's order. Keys that cannot be used are noted in `tried`."""
    for path in hop.identity_files:
        key = _load_key(path, hop.explicit_identity, tried)
        if key is not None:
            yield f"key {path}", _publickey(hop.user, key)
    agent_keys = agent.get_keys() if agent is not None else ()
    for key in agent_keys:
        yield f"agent key {key.fingerprint}", _publickey(hop.user, key)
    if password is not None:
        yield f"password from ${password_env}", lambda t: t.auth_password(hop.user, password)


def _publickey(user: str, key: paramiko.PKey) -> Attempt:
    return lambda transport: transport.auth_publickey(user, key)


def _load_key(path: os.PathLike[str], explicit: bool, tried: list[str]) -> paramiko.PKey | None:
    """The private key at `path`, or None with a note in `tried` (silent for ssh's defaults
    that simply do not exist)."""
    try:
        return paramiko.PKey.from_path(os.fspath(path))
    except FileNotFoundError:
        if explicit:
            tried.append(f"key {path} (not found)")
    except paramiko.PasswordRequiredException:
        tried.append(f"key {path} (has a passphrase: load it into ssh-agent)")
    except (OSError, ValueError, paramiko.SSHException) as exc:
        tried.append(f"key {path} (unusable: {exc})")
    return None


# -- file helpers ---------------------------------------------------------------------------


@contextlib.contextmanager
def _file_errors(path: str, who: str) -> Iterator[None]:
    """SFTP errors (IOError with an errno) as the transport's FileReadError kinds; a dropped
    connection as ConnectError. A timeout passes through: the caller drops the session."""
    try:
        yield
    except TimeoutError:
        raise
    except OSError as exc:
        raise file_error(path, exc) from None
    except UnicodeError:  # paramiko decodes the server's messages strictly as UTF-8
        message = f"{path}: an unreadable answer from the SFTP server"
        raise FileReadError(path, "error", message) from None
    except (EOFError, paramiko.SSHException) as exc:
        raise ConnectError(f"{who}: connection lost ({exc or 'closed'})") from None


def _too_large(path: str, size: bytes, max_bytes: int) -> FileReadError:
    """The size as the node printed it (shown only when it is a number)."""
    size = size.strip()
    return over_cap(path, int(size) if size.isdigit() and len(size) <= 20 else 0, max_bytes)


class _SftpFile(io.RawIOBase):
    """A remote file for zipfile; a request that times out drops the SFTP session (`on_timeout`)
    before it fails, so the next read does not wait again."""

    def __init__(self, handle: RemoteFile, on_timeout: Callable[[], None]) -> None:
        super().__init__()
        self._handle = handle
        self._on_timeout = on_timeout

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._handle.seek(offset, whence)
        return self._handle.tell()

    def tell(self) -> int:
        return self._handle.tell()

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._handle.read(len(view))
        except TimeoutError:
            self._on_timeout()
            raise
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
                self._handle.close()
        super().close()


def _one(path: str, found: Mapping[str, T | FileReadError]) -> T:
    """One path's answer out of a batch: its value, or its failure raised."""
    answer = found[path]
    if isinstance(answer, FileReadError):
        raise answer
    return answer


def _sorted(listed: list[DirEntry] | FileReadError) -> list[DirEntry] | FileReadError:
    return sorted(listed, key=lambda e: e.name) if isinstance(listed, list) else listed


def _find_entry(record: bytes) -> DirEntry | None:
    """One `%Y %s %f` record of find (the type with symlinks followed); None for one that is
    not (the last, cut by the cap)."""
    fields = record.decode("utf-8", "surrogateescape").split(" ", 2)
    if len(fields) != 3 or not fields[2]:
        return None
    kind, size, name = fields
    regular = kind == "f" and size.isascii() and size.isdigit() and len(size) <= 20
    return DirEntry(name, kind == "d", int(size) if regular else 0)


def _check_script(
    path: str, result: CommandResult, exits: dict[int, tuple[str, str]], max_bytes: int
) -> None:
    """Turn a failed file script into FileReadError: its own exit codes, or sudo's refusal."""
    if result.ok:
        return
    if result.timed_out:
        raise FileReadError(path, "error", f"{path}: timed out reading through a command")
    kind, reason = exits.get(result.exit_status or 0, ("", ""))
    if kind == "too_large":
        raise _too_large(path, result.stdout, max_bytes)
    if kind:
        raise FileReadError(path, kind, f"{path}: {reason}")
    stderr = result.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = stderr[-1] if stderr else f"exit status {result.exit_status}"
    if "sudo" in detail and "password" in detail:
        raise FileReadError(path, "denied", f"{path}: {detail} (set ssh.become_password_env)")
    raise FileReadError(path, "error", f"{path}: {detail}")
