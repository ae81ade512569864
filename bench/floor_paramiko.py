"""The practical floor: a plain parallel paramiko script doing the I/O clustercheck does.

One thread and one SSH connection per node, all at once; the socket is made here with
TCP_NODELAY (paramiko leaves Nagle on); known_hosts and the client key are loaded once.

Phase 1, per node, the same work as clustercheck's live run:
  * commands: `ip -o addr show`; the time-sync commands in clustercheck's order until one
    answers (chronyc -n tracking, timedatectl show, ntpq -pn); on Tomcats `ps -ww -eo pid=,args=`
    and `JAVA -XshowSettings:properties -version` with JAVA_HOME from bin/setenv.sh;
  * the clock: one warm channel running a python3 sampler, 9 round trips;
  * over one SFTP session: the same files (stat + read), the same directory listings, the same
    zip members (catalina.jar's ServerInfo.properties, the WAR's WEB-INF/web.xml) read through a
    seekable remote file.
Phase 2, once every node is done, over the still-open connections: from the httpd node an AJP
CPing to every worker, from every Tomcat a TCP connect to every other member's replication
receiver (a python3 script with one thread per target, as clustercheck's).

No parsing, no judging: whatever clustercheck spends beyond this is its own cost.

With --touch, the physical floor instead: per node connect, authenticate and one exec (`true`),
all nodes at once: what any tool that logs in to every node pays, whatever it then reads.

    python floor_paramiko.py [--touch] SPEC.json      (SPEC written by bench/run.py)

Prints one JSON line and exits 0 only when every node gave everything.
"""

from __future__ import annotations

import json
import shlex
import socket
import stat
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import paramiko

CLOCK_SAMPLER = [
    "sh",
    "-c",
    'command -v python3 >/dev/null && exec python3 -c "$0"; while read x; do date +%s.%N; done',
    "import sys, time\nfor _ in sys.stdin:\n"
    "    sys.stdout.write('%.6f\\n' % time.time()); sys.stdout.flush()",
]
CLOCK_ROUNDS = 9
PROBE = r"""
import socket, sys, threading
mode, limit = sys.argv[1], float(sys.argv[2])
pairs = list(zip(sys.argv[3::2], sys.argv[4::2]))
out = [None] * len(pairs)
def probe(i, host, port):
    try:
        with socket.create_connection((host, int(port)), limit) as s:
            if mode == "tcp":
                out[i] = "open"; return
            s.settimeout(limit); s.sendall(b"\x12\x34\x00\x01\x0a")
            out[i] = "cpong" if s.recv(5) == b"AB\x00\x01\x09" else "bad"
    except OSError as exc:
        out[i] = type(exc).__name__
threads = [threading.Thread(target=probe, args=(i, h, p)) for i, (h, p) in enumerate(pairs)]
for t in threads: t.start()
for t in threads: t.join()
for (h, p), r in zip(pairs, out): print(h, p, r)
"""


def run(transport: paramiko.Transport, argv: list[str] | str) -> tuple[int, bytes, bytes]:
    chan = transport.open_session()
    chan.exec_command(argv if isinstance(argv, str) else shlex.join(argv))
    out = chan.makefile("rb").read()
    err = chan.makefile_stderr("rb").read()
    return chan.recv_exit_status(), out, err


def connect(node: dict, spec: dict, host_keys: paramiko.HostKeys, pkey: paramiko.PKey):
    sock = socket.create_connection((node["host"], spec["port"]), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    transport = paramiko.Transport(sock)
    transport.start_client(timeout=10)
    key = transport.get_remote_server_key()
    known = host_keys.lookup(f"[{node['host']}]:{spec['port']}")
    if known is None or known.get(key.get_name()) != key:
        transport.close()
        raise RuntimeError(f"{node['host']}: host key not in known_hosts")
    transport.auth_publickey(spec["user"], pkey)
    return transport


def phase1(node: dict, spec: dict, host_keys: paramiko.HostKeys, pkey: paramiko.PKey):
    transport = connect(node, spec, host_keys, pkey)
    try:
        total = 0
        for command in node["commands"]:
            status, out, _ = run(transport, command)
            if status != 0 or not out:
                raise RuntimeError(f"{node['host']}: {command!r} failed")
            total += len(out)
        for command in node["timesync"]:  # the first that answers wins, as clustercheck's
            status, out, _ = run(transport, command)
            if status != 127 and out.strip():
                break
        # the clock: one warm channel, several round trips
        chan = transport.open_session()
        chan.exec_command(shlex.join(CLOCK_SAMPLER))
        lines = chan.makefile("rb")
        for _ in range(CLOCK_ROUNDS):
            chan.sendall(b"\n")
            if not lines.readline().strip():
                raise RuntimeError(f"{node['host']}: no clock sample")
        chan.close()
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        for path in node["files"]:
            attrs = sftp.stat(path)
            if not stat.S_ISREG(attrs.st_mode or 0):
                raise RuntimeError(f"{path}: not a file")
            with sftp.open(path, "rb") as handle:
                if (attrs.st_size or 0) > 32768:
                    handle.prefetch(attrs.st_size)
                data = handle.read()
            if not data:
                raise RuntimeError(f"{path}: empty")
            total += len(data)
        for path in node["dirs"]:
            total += len(sftp.listdir_attr(path))
        for archive, member in node["members"]:
            sftp.stat(archive)
            # typeshed wants seek() to return the offset; paramiko's returns None, which
            # zipfile never reads
            with (
                sftp.open(archive, "rb") as handle,
                zipfile.ZipFile(handle) as zf,  # type: ignore[call-overload]
            ):
                data = zf.read(member)
            if not data:
                raise RuntimeError(f"{archive}!/{member}: empty")
            total += len(data)
        sftp.close()
        if node.get("java"):  # ps (is a Tomcat running?), then the JDK named by setenv.sh
            run(transport, ["ps", "-ww", "-eo", "pid=,args="])
            _, out, err = run(transport, [node["java"], "-XshowSettings:properties", "-version"])
            if b'version "' not in out + err:
                raise RuntimeError(f"{node['host']}: no java version")
        return transport, total
    except BaseException:
        transport.close()
        raise


def touch(node: dict, spec: dict, host_keys: paramiko.HostKeys, pkey: paramiko.PKey):
    """Connect, authenticate, run `true`: the least a tool can do on a node."""
    transport = connect(node, spec, host_keys, pkey)
    try:
        status, _, _ = run(transport, "true")
        if status != 0:
            raise RuntimeError(f"{node['host']}: `true` exited {status}")
    finally:
        transport.close()


def phase2(node: dict, spec: dict, transport: paramiko.Transport) -> tuple[int, int]:
    """(targets probed, how many did not answer as a healthy peer would). A probe's outcome
    is a fact, as it is for clustercheck (which reports it); only a probe that did not run
    fails the floor."""
    probe = node.get("probe")
    if not probe or not probe["targets"]:
        return 0, 0
    args = [probe["mode"], str(spec["probe_timeout"])]
    args += [str(v) for pair in probe["targets"] for v in pair]
    status, out, _ = run(transport, ["python3", "-c", PROBE, *args])
    results = out.decode().split()[2::3]
    if status != 0 or len(results) != len(probe["targets"]):
        raise RuntimeError(f"{node['host']}: probe did not run: {out.decode()[:200]}")
    good = "open" if probe["mode"] == "tcp" else "cpong"
    return len(results), sum(1 for r in results if r != good)


def touch_all(
    nodes: list[dict], spec: dict, host_keys: paramiko.HostKeys, pkey: paramiko.PKey
) -> int:
    failures = []
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        futures = [pool.submit(touch, n, spec, host_keys, pkey) for n in nodes]
        for node, future in zip(nodes, futures, strict=True):
            try:
                future.result()
            except Exception as exc:
                failures.append(f"{node['name']}: {type(exc).__name__}: {exc}")
    print(
        json.dumps(
            {"nodes": len(nodes), "touched": len(nodes) - len(failures), "failures": failures}
        )
    )
    return 1 if failures else 0


def main() -> int:
    args = sys.argv[1:]
    with open(args[-1], encoding="utf-8") as handle:
        spec = json.load(handle)
    host_keys = paramiko.HostKeys(spec["known_hosts"])  # parsed once for every node
    pkey = paramiko.PKey.from_path(spec["identity_file"])
    nodes = spec["nodes"]
    if args[0] == "--touch":
        return touch_all(nodes, spec, host_keys, pkey)
    failures, total, probes, unanswered = [], 0, 0, 0
    transports: dict[str, paramiko.Transport] = {}
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        futures = [pool.submit(phase1, n, spec, host_keys, pkey) for n in nodes]
        for node, future in zip(nodes, futures, strict=True):
            try:
                transports[node["name"]], size = future.result()
                total += size
            except Exception as exc:  # report every failure, not just the first
                failures.append(f"{node['name']}: {type(exc).__name__}: {exc}")
        live = [n for n in nodes if n["name"] in transports]
        futures = [pool.submit(phase2, n, spec, transports[n["name"]]) for n in live]
        for node, future in zip(live, futures, strict=True):
            try:
                count, bad = future.result()
                probes, unanswered = probes + count, unanswered + bad
            except Exception as exc:
                failures.append(f"{node['name']}: {type(exc).__name__}: {exc}")
    for transport in transports.values():
        transport.close()
    print(
        json.dumps(
            {
                "nodes": len(nodes),
                "bytes": total,
                "probes": probes,
                "unanswered": unanswered,
                "failures": failures,
            }
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
