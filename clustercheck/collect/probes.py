"""Network probes run FROM a node, over its already-open connection: AJP13 CPing to workers and
TCP connects to replication receivers. No agent is installed: the probe is a constant script
for what the node has (bash's /dev/tcp, else python3; PowerShell on Windows), and every target
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
# Targets up to which the bash probe costs a node less CPU than python3 (measured on Debian 12:
# bash ~3 ms plus ~0.4 ms per target, python3 ~25-30 ms whatever the count).
BASH_MOST = 64
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

# The first choice on Linux: bash itself, no interpreter to start (python3 costs a node ~25 ms of
# CPU). Every target at once, each in its own job (a process group, so a straggler dies whole);
# after the time limit the rest are killed. argv = mode timeout host port [host port ...]; per
# target i, lines "i c US" (connected after US microseconds), "i x REASON" (connect failed),
# "i r US HEX..." (what it answered to CPing) or "i t US HEX..." (silent until the limit). No
# line at all: the connect never completed. US is "-" where bash has no $EPOCHREALTIME (< 5.0).
BASH_PROBE = r"""
mode=$1; limit=$2; shift 2
exec 2>/dev/null
export LC_ALL=C
set -m
took() { e=-; [ -n "$start" ] && e=$(( ${EPOCHREALTIME/[.,]/} - start )); }
add() {
  local s=$1 k c; for ((k = 0; k < ${#s}; k++)); do printf -v c ' %02x' "'${s:k:1}"; got+=$c; done
}
one() {
  local i=$1 start=${EPOCHREALTIME/[.,]/} got= want=5 part rc e m
  if ! exec 3<>"/dev/tcp/$2/$3"; then
    m=$( { exec 3<>"/dev/tcp/$2/$3"; } 2>&1 ); echo "$i x ${m##*: }"; return
  fi
  took; echo "$i c $e"
  [ "$mode" = tcp ] && return
  printf '\022\064\000\001\012' >&3
  while [ $want -gt 0 ]; do
    IFS= read -r -d '' -n $want -t "$limit" part <&3; rc=$?
    add "$part"
    if [ $rc -gt 128 ]; then took; echo "$i t $e$got"; return; fi
    [ $rc -ne 0 ] && break
    [ ${#part} -lt $want ] && { got+=' 00'; want=$((want - 1)); }
    want=$((want - ${#part}))
  done
  took; echo "$i r $e$got"
}
i=0; pids=()
while [ $# -ge 2 ]; do one $i "$1" "$2" & pids+=($!); i=$((i + 1)); shift 2; done
(sleep "$limit"; for p in "${pids[@]}"; do kill -9 -- -$p; done) & w=$!
wait "${pids[@]}"
kill -9 -- -$w
exit 0
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


def parse_bash(
    text: str, mode: str, origin: str, targets: Sequence[tuple[str, int]]
) -> list[ProbeResult]:
    """The bash probe's lines, one result per target in `targets` (the argv it was given): a
    target without a line never finished its connect."""
    seen: dict[int, dict[str, list[str]]] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and _is_int(words[0], 0, len(targets) - 1) and len(words[1]) == 1:
            seen.setdefault(int(words[0]), {})[words[1]] = words[2:]
    return [
        _bash_result(host, port, seen.get(i, {}), mode, origin)
        for i, (host, port) in enumerate(targets)
    ]


def _bash_result(
    host: str, port: int, said: dict[str, list[str]], mode: str, origin: str
) -> ProbeResult:
    """One target's result from what its job printed (see BASH_PROBE)."""
    if "x" in said:
        reason = " ".join(said["x"])[:200]
        refused = "refused" in reason.lower()
        return ProbeResult(
            host,
            port,
            Outcome.REFUSED if refused else Outcome.ERROR,
            detail="" if refused else reason,
            origin=origin,
        )
    last = said.get("r") or said.get("t") or said.get("c")
    ms = _micros_as_ms(last[0]) if last else None
    if "c" not in said:
        return ProbeResult(host, port, Outcome.CONNECT_TIMEOUT, ms, origin=origin)
    if mode == "tcp":
        return ProbeResult(host, port, Outcome.OPEN, ms, origin=origin)
    if "r" not in said:
        return ProbeResult(host, port, Outcome.NO_REPLY, ms, origin=origin)
    answer = "".join(said["r"][1:])
    if answer == CPONG.hex():
        return ProbeResult(host, port, Outcome.CPONG, ms, origin=origin)
    if not answer:
        return ProbeResult(host, port, Outcome.CLOSED, ms, origin=origin)
    return ProbeResult(host, port, Outcome.NOT_AJP, ms, answer[:32], origin)


def _micros_as_ms(word: str) -> float | None:
    return int(word) / 1000 if _is_int(word, 0, 10**9) else None


def _is_int(word: str, low: int, high: int) -> bool:
    """An ASCII decimal integer within [low, high] (never converting 4,000 digits)."""
    return re.fullmatch(r"-?[0-9]{1,10}", word) is not None and low <= int(word) <= high


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
    flavours = ["powershell"] if windows else ["bash", "python3"]
    if len(targets) > BASH_MOST:  # a fork per target: past this python3's flat start is less
        flavours.reverse()
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
            parse_bash(text, mode, origin, targets)
            if flavour == "bash"
            else parse_json_lines(text, origin)
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
