"""Node CPU by command (`run.py --node-profile`): why a tool costs a node what it does.

Every session of the simulated nodes then runs through a small accounting wrapper
(sshd's ForceCommand): it runs the asked command as the login shell would (`$SHELL -c`), then
appends one JSON line with its start time, the CPU of everything the command started
(getrusage of its children: the wrapper's own Python start is not counted) and the command's
first characters. SFTP sessions show as the sftp-server. The summary attributes each line to
the timed run whose window holds it and averages per run. The wrapper itself costs every
session ~25 ms of CPU and some wall time: the timings of a profiled benchmark are not
comparable with an unprofiled one, only the per-command CPU is the point.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

WRAPPER = """#!/usr/bin/python3
# benchmark: run the session's command, then log its CPU (bench/nodeprofile.py)
import json, os, resource, subprocess, time
command = os.environ.get("SSH_ORIGINAL_COMMAND", "")
started = time.time()
status = subprocess.call([os.environ.get("SHELL") or "/bin/sh", "-c", command])
used = resource.getrusage(resource.RUSAGE_CHILDREN)
line = json.dumps({"t": started, "ms": (used.ru_utime + used.ru_stime) * 1000, "cmd": command[:400]})
fd = os.open(%(log)r, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(fd, (line + "\\n").encode())
os.close(fd)
raise SystemExit(status)
"""

# clustercheck's command-timeout wrapper (collect/transports/ssh.py), shown once as "timeout …"
_BOUNDED = re.compile(r"^sh -c 'command -v timeout [^']*' [0-9.]+ ")


def write_wrapper(work: Path) -> tuple[Path, Path]:
    """(the ForceCommand script, the log it appends to)."""
    log = work / "node-commands.jsonl"
    script = work / "node-bin-account.py"
    script.write_text(WRAPPER % {"log": str(log)})
    script.chmod(0o755)
    return script, log


def label(command: str) -> str:
    """A command as the report names it: its first 90 characters, whitespace folded."""
    text = _BOUNDED.sub("timeout … ", command)
    return " ".join(text.split())[:90] or "(login shell)"


def summarize(log: Path, windows: list[tuple[str, int, float, float]]) -> dict:
    """{tool: {"n": N, "runs": k, "rows": [(label, calls per run, ms per call, ms per run)]}}
    of the timed runs (`windows`: tool, N, start, end), heaviest first."""
    if not log.exists():
        return {}
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    found: dict[tuple[str, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    runs: dict[tuple[str, int], int] = defaultdict(int)
    for tool, n, _start, _end in windows:
        runs[(tool, n)] += 1
    for entry in lines:
        for tool, n, start, end in windows:
            if start <= entry["t"] <= end:
                found[(tool, n)][label(entry["cmd"])].append(entry["ms"])
                break
    out: dict = {}
    for (tool, n), by_label in found.items():
        count = runs[(tool, n)]
        rows = [
            (name, len(ms) / count, sum(ms) / len(ms), sum(ms) / count)
            for name, ms in by_label.items()
        ]
        rows.sort(key=lambda row: -row[3])
        out[f"{tool} N={n}"] = {"n": n, "runs": count, "rows": rows}
    return out


def markdown(profile: dict) -> list[str]:
    """The report's section: per tool, the commands by CPU per run (per node: ÷ N+1)."""
    if not profile:
        return []
    out = [
        "## Node CPU by command (--node-profile)",
        "",
        "Every session ran through an accounting wrapper (bench/nodeprofile.py): CPU of what "
        "each command started, averaged over the timed runs; the wrapper's own start is not "
        "counted, but it slows every session: this benchmark's timings are not comparable "
        "with an unprofiled one.",
        "",
    ]
    for name, data in profile.items():
        nodes = data["n"] + 1
        total = sum(row[3] for row in data["rows"])
        out += [
            f"### {name}: {total:.0f} ms per run, {total / nodes:.1f} ms per node "
            f"({data['runs']} run(s))",
            "",
            "| command | calls per run | ms per call | ms per run | ms per node |",
            "|---|---|---|---|---|",
        ]
        for command, calls, per_call, per_run in data["rows"][:12]:
            shown = command.replace("|", "\\|")
            out.append(
                f"| `{shown}` | {calls:.1f} | {per_call:.1f} | {per_run:.0f} | "
                f"{per_run / nodes:.1f} |"
            )
        out.append("")
    return out
