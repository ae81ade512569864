"""Network probes run FROM a node, over its already-open connection: AJP13 CPing to workers and
TCP connects to replication receivers. No agent is installed: the probe is a constant script
for what the node has (python3, else bash's /dev/tcp; PowerShell on Windows), and every target
travels as a separate argument, quoted by the transport, never pasted into code.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.collect.transports.shells import powershell_script
from clustercheck.facts.probes import FROM_HERE, Outcome, ProbeResult

LOCAL_PROBES = 32  # connects at once from clustercheck's machine
CPING = b"\x12\x34\x00\x01\x0a"
CPONG = b"AB\x00\x01\x09"
# A DNS name as resolvers take it; anything else read from a configuration is not probed.
_HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


# Runs on the node: argv = mode timeout host port [host port ...]; one JSON line per target,
# its "result" an Outcome value.
PYTHON_PROBE = r"""
import json, socket, sys, threading, time
mode, limit = sys.argv[1], float(sys.argv[2])
pairs = list(zip(sys.argv[3::2], sys.argv[4::2]))
out = [None] * len(pairs)
def probe(i, host, port):
    start = time.monotonic()
    res = {"host": host, "port": int(port), "result": "error", "ms": None, "detail": ""}
    try:
        sock = socket.create_connection((host, int(port)), limit)
    except ConnectionRefusedError:
        res["result"] = "refused"; out[i] = res; return
    except socket.timeout:
        res["result"] = "connect-timeout"; out[i] = res; return
    except OSError as exc:
        res["detail"] = str(exc); out[i] = res; return
    try:
        if mode == "tcp":
            res["result"] = "open"
        else:
            sock.settimeout(limit)
            sock.sendall(b"\x12\x34\x00\x01\x0a")
            data = b""
            while len(data) < 5:
                chunk = sock.recv(5 - len(data))
                if not chunk:
                    break
                data += chunk
            if data == b"AB\x00\x01\x09":
                res["result"] = "cpong"
            elif not data:
                res["result"] = "closed"
            else:
                res["result"] = "not-ajp"; res["detail"] = data[:16].hex()
    except socket.timeout:
        res["result"] = "no-reply"
    except OSError as exc:
        res["detail"] = str(exc)
    finally:
        sock.close()
    res["ms"] = round((time.monotonic() - start) * 1000, 2)
    out[i] = res
threads = [threading.Thread(target=probe, args=(i, h, p)) for i, (h, p) in enumerate(pairs)]
for t in threads: t.start()
for t in threads: t.join()
for r in out: print(json.dumps(r))
"""

# Fallback without python3: bash's /dev/tcp, one target after another; the targets are $1, $2...
BASH_PROBE = r"""
mode=$1; limit=$2; shift 2
while [ $# -ge 2 ]; do
  host=$1; port=$2; shift 2
  reply=$(timeout "$limit" bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 7
    [ "$2" = tcp ] && exit 0
    printf "\x12\x34\x00\x01\x0a" >&3; od -An -tx1 -N5 <&3' "$host" "$port" "$mode" 2>&1)
  echo "$host $port $? $(echo $reply | tr -d '\n')"
done
"""

# Windows nodes: PowerShell; $args carries the targets (shells.powershell_script). Built and
# unit-tested, not run here.
POWERSHELL_PROBE = r"""
$mode=$args[0]; $limit=[int]([double]$args[1]*1000)
for ($i=2; $i -lt $args.Count; $i+=2) { $h=$args[$i]; $p=[int]$args[$i+1]
  $r=@{host=$h; port=$p; result='error'; ms=$null; detail=''}
  $c=New-Object Net.Sockets.TcpClient; $sw=[Diagnostics.Stopwatch]::StartNew()
  try { if (-not $c.ConnectAsync($h,$p).Wait($limit)) { $r.result='connect-timeout' }
    elseif ($mode -eq 'tcp') { $r.result='open' }
    else { $s=$c.GetStream(); $s.ReadTimeout=$limit; $s.Write([byte[]](0x12,0x34,0,1,0x0a),0,5)
      $b=New-Object byte[] 5; try { $n=$s.Read($b,0,5) } catch { $n=-1 }
      if ($n -lt 0) { $r.result='no-reply' } elseif ($n -eq 0) { $r.result='closed' }
      elseif ([BitConverter]::ToString($b) -eq '41-42-00-01-09') { $r.result='cpong' }
      else { $r.result='not-ajp' } } }
  catch { if ($_.Exception.InnerException -is [Net.Sockets.SocketException]) {
      $r.result='refused' } else { $r.detail=$_.Exception.Message } }
  finally { $r.ms=[math]::Round($sw.Elapsed.TotalMilliseconds,2); $c.Close() }
  $r | ConvertTo-Json -Compress }
"""


def command(
    flavour: str, mode: str, timeout_s: float, targets: Sequence[tuple[str, int]]
) -> list[str]:
    """argv for one probe run; the targets are arguments, never part of the script."""
    args = [mode, f"{timeout_s:g}"] + [str(v) for pair in targets for v in pair]
    if flavour == "python3":
        return ["python3", "-c", PYTHON_PROBE, *args]
    if flavour == "bash":
        return ["bash", "-c", BASH_PROBE, "probe", *args]
    if flavour == "powershell":
        return powershell_script(POWERSHELL_PROBE, args)
    raise ValueError(f"unknown probe flavour {flavour!r}")


def parse_json_lines(text: str, origin: str) -> list[ProbeResult]:
    """Output of the python3 and PowerShell probes; a line that is not one result (in types
    and ranges too: the node prints it) is passed over."""
    results = []
    for line in text.splitlines():
        try:
            results.append(ProbeResult.from_json({**json.loads(line), "origin": origin}))
        except (ValueError, TypeError):  # RecordError is a ValueError
            continue
    return results


def parse_bash(text: str, mode: str, origin: str) -> list[ProbeResult]:
    """Lines 'host port exitcode reply...' of the bash probe."""
    results = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 3 or not _is_int(words[1], 0, 65535) or not _is_int(words[2], -255, 255):
            continue
        host, port, code, reply = words[0], int(words[1]), int(words[2]), " ".join(words[3:])
        results.append(
            ProbeResult(host, port, _bash_outcome(code, reply, mode), None, reply, origin)
        )
    return results


def _is_int(word: str, low: int, high: int) -> bool:
    """An ASCII decimal integer within [low, high] (never converting 4,000 digits)."""
    return re.fullmatch(r"-?[0-9]{1,6}", word) is not None and low <= int(word) <= high


def _bash_outcome(code: int, reply: str, mode: str) -> Outcome:
    if code == 124:
        return Outcome.NO_REPLY if mode == "cping" else Outcome.CONNECT_TIMEOUT
    if code == 7 or "refused" in reply.lower():
        return Outcome.REFUSED
    if code != 0:
        return Outcome.ERROR
    if mode == "tcp":
        return Outcome.OPEN
    hexed = reply.replace(" ", "")
    if hexed == CPONG.hex():
        return Outcome.CPONG
    return Outcome.CLOSED if not hexed else Outcome.NOT_AJP


def probe_from(
    transport: Transport,
    origin: str,
    mode: str,
    targets: Sequence[tuple[str, int]],
    timeout_s: float,
    windows: bool = False,
) -> list[ProbeResult] | None:
    """Run the probe on a node with what it has; None when it has nothing to run it with."""
    targets, refused = _host_names(targets, origin)
    if not targets:
        return refused
    flavours = ["powershell"] if windows else ["python3", "bash"]
    for flavour in flavours:
        try:
            result = transport.run(
                command(flavour, mode, timeout_s, targets), timeout=timeout_s * len(targets) + 10
            )
        except TransportError:
            return None
        if result.exit_status == 127 or (result.exit_status != 0 and not result.stdout):
            continue  # this interpreter is missing: try the next
        text = result.stdout.decode("utf-8", "replace")
        found = (
            parse_bash(text, mode, origin) if flavour == "bash" else parse_json_lines(text, origin)
        )
        return refused + found
    return None


def probe_locally(
    mode: str, targets: Sequence[tuple[str, int]], timeout_s: float
) -> list[ProbeResult]:
    """The same probe from clustercheck's own machine, every target at once (as the node-side
    script does: a firewall that drops costs one timeout, not one per target)."""
    targets, refused = _host_names(targets, FROM_HERE)
    if not targets:
        return refused
    with ThreadPoolExecutor(max_workers=min(len(targets), LOCAL_PROBES)) as pool:
        found = pool.map(lambda t: _probe_one(t[0], t[1], mode, timeout_s), targets)
        return refused + list(found)


def _host_names(
    targets: Sequence[tuple[str, int]], origin: str
) -> tuple[list[tuple[str, int]], list[ProbeResult]]:
    """(the targets that are a host name or an address and a port, an error for each other):
    a target read from a node's configuration is data, and only an address is probed."""
    valid, refused = [], []
    for host, port in targets:
        if _is_host(host) and 0 < port < 65536:
            valid.append((host, port))
        else:
            detail = "not a host name and port: not probed"
            refused.append(ProbeResult(host, port, Outcome.ERROR, None, detail, origin))
    return valid, refused


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _HOST_NAME.fullmatch(host) is not None
    return True


def _probe_one(host: str, port: int, mode: str, timeout_s: float) -> ProbeResult:
    start = time.monotonic()

    def done(result: Outcome, detail: str = "") -> ProbeResult:
        return ProbeResult(
            host, port, result, round((time.monotonic() - start) * 1000, 2), detail, FROM_HERE
        )

    try:
        sock = socket.create_connection((host, port), timeout_s)
    except ConnectionRefusedError:
        return done(Outcome.REFUSED)
    except TimeoutError:
        return done(Outcome.CONNECT_TIMEOUT)
    except OSError as exc:
        return done(Outcome.ERROR, str(exc))
    with sock:
        if mode == "tcp":
            return done(Outcome.OPEN)
        try:
            sock.settimeout(timeout_s)
            sock.sendall(CPING)
            data = b""
            while len(data) < len(CPONG):
                chunk = sock.recv(len(CPONG) - len(data))
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            return done(Outcome.NO_REPLY)
        except OSError as exc:
            return done(Outcome.ERROR, str(exc))
    if data == CPONG:
        return done(Outcome.CPONG)
    return done(Outcome.CLOSED) if not data else done(Outcome.NOT_AJP, data[:16].hex())
