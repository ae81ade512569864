"""Summaries of the benchmark's samples: the markdown report, the targets, and the profiles."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import nodeprofile
from measure import Sample

LIVE, OFFLINE, FLOOR, ANSIBLE = (
    "clustercheck-live",
    "clustercheck-offline",
    "paramiko-floor",
    "ansible",
)
LIVE_FAST = "clustercheck-live-nomcast"
TOUCH = "paramiko-touch"
SKIP_MCAST = "CC501,CC502,CC503"
TOOLS = (LIVE, LIVE_FAST, OFFLINE, FLOOR, TOUCH, ANSIBLE)
LABELS = {
    LIVE: "clustercheck run (live, SSH; default checks)",
    LIVE_FAST: f"clustercheck run --skip {SKIP_MCAST} (live, no multicast window)",
    OFFLINE: "clustercheck run SNAPSHOT (offline)",
    FLOOR: "paramiko floor (floor_paramiko.py)",
    TOUCH: "touch limit (connect, authenticate, `true`; floor_paramiko.py --touch)",
    ANSIBLE: "ansible-core (ssh, pipelining, forks=N+1)",
    "clustercheck-collect": "clustercheck collect (1 run, for the snapshot)",
}
TARGET_N = 60
WAN_N, WAN_RTT_MS = 30, 20.0
MEMORY_N = 100
MEMORY_MB = 150


def _group(samples: list[Sample]) -> dict[tuple[str, int], list[Sample]]:
    groups: dict[tuple[str, int], list[Sample]] = defaultdict(list)
    for s in samples:
        if s.ok:
            groups[(s.tool, s.n)].append(s)
    return groups


def med(samples: list[Sample], attr: str) -> float | None:
    values = [getattr(s, attr) for s in samples]
    return statistics.median(values) if values else None


def med_extra(samples: list[Sample], key: str) -> float | None:
    """Median of a node-side number (Sample.extra) over the runs that have it."""
    values = [s.extra[key] for s in samples if key in s.extra]
    return statistics.median(values) if values else None


def _per_node(samples: list[Sample], key: str, n: int, scale: float = 1.0) -> float | None:
    """A run's node-side total (median over runs) per node: N Tomcats + the httpd node."""
    value = med_extra(samples, key)
    return None if value is None else value * scale / (n + 1)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _cell(samples: list[Sample]) -> str:
    if not samples:
        return "–"
    walls = [s.wall_s for s in samples]
    if len(walls) == 1:
        return f"**{walls[0]:.2f}** ×1"
    return f"**{statistics.median(walls):.2f}** [{min(walls):.2f}–{max(walls):.2f}] ×{len(walls)}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def slope(groups: dict, tool: str, attr: str, sizes: list[int]) -> float | None:
    """Least-squares seconds per extra node over the medians at N >= 10 (or all N)."""
    big = [n for n in sizes if n >= 10] if len([n for n in sizes if n >= 10]) >= 2 else sizes
    measured = [(n, med(groups.get((tool, n), []), attr)) for n in big]
    points = [(n, v) for n, v in measured if v is not None]
    if len(points) < 2:
        return None
    mean_n = statistics.fmean(n for n, _ in points)
    mean_v = statistics.fmean(v for _, v in points)
    den = sum((n - mean_n) ** 2 for n, _ in points)
    return sum((n - mean_n) * (v - mean_v) for n, v in points) / den if den else None


def _at(sizes: list[int], wanted: int) -> int:
    """`wanted` if measured, else the largest measured size."""
    return wanted if wanted in sizes else max(sizes)


def targets(samples: list[Sample], extra: dict, sizes: list[int]) -> list[dict]:
    groups = _group(samples)
    n = _at(sizes, TARGET_N)
    where = f"N={n}" + ("" if n == TARGET_N else f" ({TARGET_N} not measured)")
    wall = {t: med(groups.get((t, n), []), "wall_s") for t in TOOLS}
    # The live targets are for the run without the multicast window ("measured apart").
    what = f"--skip {SKIP_MCAST}: gathering, static checks, JDK, clock, AJP and receivers"
    r = _ratio(wall[LIVE_FAST], wall[FLOOR])
    out = [
        {
            "key": "floor",
            "target": f"live run within 1.5× of the paramiko floor at {TARGET_N} nodes ({what})",
            "measured": f"{where}: {_fmt(wall[LIVE_FAST])} s vs {_fmt(wall[FLOOR])} s = **{_fmt(r)}×**",
            "met": None if r is None else r <= 1.5,
        }
    ]
    r = _ratio(wall[ANSIBLE], wall[LIVE_FAST])
    out.append(
        {
            "key": "ansible",
            "target": f"≥10× faster than ansible-core at {TARGET_N} nodes (the same run)",
            "measured": f"{where}: ansible {_fmt(wall[ANSIBLE])} s / clustercheck "
            f"{_fmt(wall[LIVE_FAST])} s = **{_fmt(r, 1)}×**",
            "met": None if r is None else r >= 10,
        }
    )
    s_floor = slope(groups, FLOOR, "wall_s", sizes)
    s_tool = slope(groups, LIVE_FAST, "wall_s", sizes)
    r = _ratio(s_tool, s_floor)
    out.append(
        {
            "key": "growth",
            "target": "wall time grows with N no faster than the floor's (the same run; slope ratio ≤ 1.1)",
            "measured": f"{_fmt(None if s_tool is None else s_tool * 1000, 1)} vs "
            f"{_fmt(None if s_floor is None else s_floor * 1000, 1)} ms/node = **{_fmt(r)}×**",
            "met": None if r is None else r <= 1.1,
        }
    )
    out.append(_window_target(wall, where, extra.get("verify", {}).get(n)))
    ex = med(groups.get(("example-offline", 0), []), "wall_s")
    out.append(
        {
            "key": "offline",
            "target": "offline run of examples/seed-cluster well under 1 s",
            "measured": f"median **{_fmt(ex, 3)} s**",
            "met": None if ex is None else ex < 1.0,
        }
    )
    helps = med(groups.get(("clustercheck --help", 0), []), "wall_s")
    imported = extra.get("startup", {}).get("scapy_or_paramiko", [])
    out.append(
        {
            "key": "help",
            "target": "`clustercheck --help` under 0.3 s, without importing scapy or paramiko",
            "measured": f"median **{_fmt(helps, 3)} s**; scapy/paramiko imported: "
            f"{', '.join(imported) if imported else 'neither'}",
            "met": None if helps is None else (helps < 0.3 and not imported),
        }
    )
    m = _at(sizes, MEMORY_N)
    rss = max((s.maxrss_mb for s in groups.get((LIVE, m), [])), default=None)
    out.append(
        {
            "key": "memory",
            "target": f"peak memory under {MEMORY_MB} MB at {MEMORY_N} nodes",
            "measured": f"N={m}{'' if m == MEMORY_N else f' ({MEMORY_N} not measured)'}: "
            f"max ru_maxrss of the default live runs **{_fmt(rss, 0)} MB**",
            "met": None if rss is None else rss < MEMORY_MB,
        }
    )
    out += _node_targets(groups, extra, sizes)
    hostile = extra.get("hostile", {}).get("ssh")
    if hostile:
        out.append(
            {
                "key": "hostile",
                "target": "a 50 MB server.xml is refused by the size cap, memory stays low",
                "measured": f"refused: {hostile['refused_by_cap']}; ru_maxrss "
                f"**{hostile['maxrss_mb']:.0f} MB**; {hostile['wall_s']:.2f} s",
                "met": hostile["refused_by_cap"] and hostile["maxrss_mb"] < MEMORY_MB,
            }
        )
    return out


def _node_targets(groups: dict, extra: dict, sizes: list[int]) -> list[dict]:
    """Issue 21's: no JVM on a node, half the floor's node CPU, and across a 20 ms WAN."""
    n = _at(sizes, TARGET_N)
    where = f"N={n}" + ("" if n == TARGET_N else f" ({TARGET_N} not measured)")
    javas = [s.extra["java_starts"] for s in groups.get((LIVE, n), []) if "java_starts" in s.extra]
    cpu = {
        t: _per_node(groups.get((t, n), []), "node_cpu_s", n, 1000)
        for t in (LIVE, LIVE_FAST, FLOOR)
    }
    r = _ratio(cpu[LIVE], cpu[FLOOR])
    out = [
        {
            "key": "java",
            "target": "no `java` process started on any node in a default run",
            "measured": f"{where}: **{max(javas) if javas else '–'}** JVMs per run "
            f"({_fmt(max(javas) / n if javas else None)} per Tomcat node), {len(javas)} run(s)",
            "met": None if not javas else max(javas) == 0,
        },
        {
            "key": "nodecpu",
            "target": f"node-side CPU per node at {TARGET_N} nodes at most half the paramiko floor's "
            "(default run)",
            "measured": f"{where}: {_fmt(cpu[LIVE], 1)} ms (without the window "
            f"{_fmt(cpu[LIVE_FAST], 1)}) vs {_fmt(cpu[FLOOR], 1)} ms = **{_fmt(r)}×**",
            "met": None if r is None else r <= 0.5,
        },
    ]
    rtt = extra.get("network", {}).get("rtt_ms")
    m = _at(sizes, WAN_N)
    wall = {t: med(groups.get((t, m), []), "wall_s") for t in (LIVE_FAST, FLOOR, TOUCH)}
    at_rtt = rtt == WAN_RTT_MS
    where = f"N={m}" + ("" if m == WAN_N else f" ({WAN_N} not measured)")
    where += f", RTT {rtt:g} ms" if rtt is not None else ", loopback"
    r_floor, r_touch = _ratio(wall[LIVE_FAST], wall[FLOOR]), _ratio(wall[LIVE_FAST], wall[TOUCH])
    out.append(
        {
            "key": "wan",
            "target": f"at --rtt-ms {WAN_RTT_MS:g}, N={WAN_N}, live without the window: at most "
            "0.7× the paramiko floor and within 2× the touch limit",
            "measured": f"{where}: {_fmt(wall[LIVE_FAST])} s vs floor {_fmt(wall[FLOOR])} s = "
            f"**{_fmt(r_floor)}×**, vs touch {_fmt(wall[TOUCH])} s = **{_fmt(r_touch)}×**",
            "met": None
            if not at_rtt or r_floor is None or r_touch is None
            else r_floor <= 0.7 and r_touch <= 2,
        }
    )
    return out


def _window_target(wall: dict, where: str, verified: dict | None) -> dict:
    """What the default run adds to the run without the window: once per run means about one
    window (plus the capture's transfer and judging), however many nodes listen."""
    window = (verified or {}).get("window_s")
    added = None if wall[LIVE] is None or wall[LIVE_FAST] is None else wall[LIVE] - wall[LIVE_FAST]
    return {
        "key": "window",
        "target": "the multicast window is paid once per run, not per node "
        "(default run − run without it < 2 windows)",
        "measured": f"{where}: {_fmt(wall[LIVE])} − {_fmt(wall[LIVE_FAST])} = **{_fmt(added)} s** "
        f"for a {_fmt(window, 1)} s window",
        "met": None if added is None or window is None else added < 2 * window,
    }


def _network(extra: dict) -> str:
    """How the tools reached the nodes, and the delay measured."""
    net = extra.get("network")
    if not net:
        return "loopback, no added delay (round trips not counted: see --count-rtt)"
    return (
        f"through bench/relay.py: **RTT {net['rtt_ms']:g} ms** set (each chunk held RTT/2 each "
        f"way, the node side opened RTT/2 after connect); measured TCP connect + first byte "
        f"(sshd banner), median of {net['runs']}: **{net['through_ms']:.1f} ms** through the "
        f"relay, {net['direct_ms']:.1f} ms direct: the relay adds "
        f"**{net['through_ms'] - net['direct_ms']:.1f} ms**"
    )


def _node_cell(n: int) -> Callable[[list[Sample]], str]:
    def cell(g: list[Sample]) -> str:
        if not g:
            return "–"
        cpu = _per_node(g, "node_cpu_s", n, 1000)
        mem = _per_node(g, "node_mem_peak_mb", n)
        java = med_extra(g, "java_starts")
        java = None if java is None else java / n  # only Tomcat nodes run one
        return f"{_fmt(cpu, 1)} / {_fmt(mem, 2)} / {_fmt(java, 1)}"

    return cell


def _trips_cell(g: list[Sample]) -> str:
    trips = med_extra(g, "round_trips_median")
    if trips is None:
        return "–"
    return (
        f"**{trips:g}** [max {_fmt(med_extra(g, 'round_trips_max'), 0)}] "
        f"({_fmt(med_extra(g, 'connections_median'), 0)} conn.)"
    )


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("**met**" if met else "**MISSED**")


def _tool_table(
    add: Callable[[str], None],
    groups: dict,
    sizes: list[int],
    tools: Iterable[str],
    cell: Callable[[list[Sample]], str],
) -> None:
    """One of the report's tool x N tables: a row per measured tool, `cell` per size."""
    add("| tool | " + " | ".join(f"N={n}" for n in sizes) + " |")
    add("|---|" + "---|" * len(sizes))
    for tool in tools:
        if any((tool, n) in groups for n in sizes):
            cells = (cell(groups.get((tool, n), [])) for n in sizes)
            add(f"| {LABELS[tool]} | " + " | ".join(cells) + " |")


def markdown(info: dict, samples: list[Sample], extra: dict) -> str:
    sizes = info["args"]["sizes"]
    groups = _group(samples)
    failed = [s for s in samples if not s.ok]
    lines: list[str] = []
    add = lines.append
    load_s, load_e = info["load_start"], info["load_end"]
    add("# clustercheck benchmark")
    add("")
    add(
        f"Run {info['date']} in {info['duration_s'] / 60:.1f} min: `python bench/run.py"
        + (" --quick" if info["args"]["quick"] else "")
        + (f" --rtt-ms {a:g}" if (a := info["args"].get("rtt_ms")) is not None else "")
        + (" --count-rtt" if info["args"].get("count_rtt") else "")
        + f"` (sizes {','.join(map(str, sizes))})."
    )
    add("")
    add("| machine | |")
    add("|---|---|")
    add(f"| CPU | {info['nproc']} × {info['cpu']} |")
    add(f"| memory | {info['mem_gib']} GiB |")
    add(f"| OS | {info['os']}, kernel {info['kernel']} |")
    add(
        f"| Python | {info['python']} (bench/.venv), paramiko {info['paramiko']}, ansible-core {info['ansible_core']} |"
    )
    add(f"| OpenSSH | {info['openssh']} |")
    add(f"| clustercheck | commit {info['clustercheck_commit']} |")
    add(
        f"| load average | start {load_s[0]:.2f} / {load_s[1]:.2f} / {load_s[2]:.2f}, "
        f"end {load_e[0]:.2f} / {load_e[1]:.2f} / {load_e[2]:.2f} |"
    )
    add(f"| network | {_network(extra)} |")
    others = [s.other_cpu_s / s.wall_s for s in samples if s.wall_s > 0.2 and s.tool in TOOLS]
    if others:
        busy = statistics.median(others)
        verdict = (
            "**the machine was busy with other work**: every number is noisier and slower than on an idle machine"
            if busy > 0.25
            else "the machine was otherwise quiet"
        )
        add(
            f"| other load during runs | median {busy:.2f} cores used by other processes "
            f"(machine busy CPU − client − sshd, per second of wall): {verdict} |"
        )
    add("")
    add(
        "Every simulated node is a real sshd login on its own address (10.199.0.x on the loopback "
        "of the benchmark's own network namespace; 16 per sshd process); client, sshd and every node command share the same cores, so beyond a few "
        "nodes wall time is bounded by total CPU / cores. N Tomcat nodes + 1 httpd node = N+1 "
        "SSH connections. Client CPU = user+sys of the tool and every descendant it waited for "
        "(os.wait4), plus ansible's detached ControlPersist masters (reaped as subreaper); "
        "sshd CPU = the sshd listeners with every session, shell, sftp-server and remote "
        "python they reaped (/proc/PID/stat), plus the simulated Tomcats' listeners. Medians "
        "with [min–max] and the number of runs."
    )
    add("")
    if info.get("merged"):
        add(
            "This report merges the runs of several invocations of the benchmark (same machine, "
            "same clustercheck tree; the machine line above is the last one's): "
            + "; ".join(info["merged"])
            + "."
        )
        add("")
    verify = extra.get("verify", {})
    if verify:
        add(
            "What clustercheck made of the simulated cluster (untimed verification run per size; "
            "every node reached, no `error`):"
        )
        add("")
        for n, v in sorted(verify.items(), key=lambda kv: int(kv[0])):
            found = "; ".join(
                f'{key} ×{f["count"]} ("{f["example"][:110]}")' for key, f in v["findings"].items()
            )
            window = f", multicast window {v['window_s']:g} s" if v.get("window_s") else ""
            summary = v.get("default_summary") or v.get("summary")
            add(f"* N={n}: {summary}{window}" + (f". Findings: {found}" if found else ""))
        add("")
    if failed:
        add(
            f"**{len(failed)} run(s) failed and are left out:** "
            + "; ".join(f"{s.tool} N={s.n} #{s.run} rc={s.rc}" for s in failed[:10])
        )
        add("")

    add("## Wall time, s")
    add("")
    _tool_table(add, groups, sizes, (*TOOLS, "clustercheck-collect"), _cell)
    add("")

    add("## CPU, s: median client / sshd (node side)")
    add("")
    _tool_table(
        add,
        groups,
        sizes,
        TOOLS,
        lambda g: f"{_fmt(med(g, 'client_cpu_s'))} / {_fmt(med(g, 'sshd_cpu_s'))}" if g else "–",
    )
    if (ANSIBLE, sizes[-1]) in groups:
        det = med(groups[(ANSIBLE, sizes[-1])], "detached_cpu_s")
        add("")
        add(
            f"ansible's client CPU includes its detached ControlPersist `ssh` masters "
            f"({_fmt(det)} s at N={sizes[-1]})."
        )
    add("")

    add("## Peak memory of the client, MB (ru_maxrss, median)")
    add("")
    _tool_table(add, groups, sizes, TOOLS, lambda g: _fmt(med(g, "maxrss_mb"), 0))
    add("")
    add("(ansible's is the largest single process among ansible-playbook and its forks.)")
    add("")

    if any("node_cpu_s" in s.extra or "java_starts" in s.extra for s in samples):
        add("## Node side per node: CPU ms / peak memory MB / JVMs per Tomcat node (medians)")
        add("")
        add(
            "Every sshd runs in a cgroup of the benchmark's own, so everything a tool starts on "
            f"a node is in it ({extra.get('node_side', {}).get('cgroup', '?')}). CPU: the "
            "cgroup's usage over the run ÷ (N+1) nodes. Memory: the cgroup's peak above what it "
            "held before the run, ÷ (N+1) (the nodes run at once). JVMs: every `java` started on "
            "a node (a logging wrapper on the nodes' PATH and as the JDK their setenv.sh names), "
            "÷ N Tomcat nodes."
        )
        add("")
        add("| tool | " + " | ".join(f"N={n}" for n in sizes) + " |")
        add("|---|" + "---|" * len(sizes))
        for tool in TOOLS:
            if any((tool, n) in groups for n in sizes):
                cells = (_node_cell(n)(groups.get((tool, n), [])) for n in sizes)
                add(f"| {LABELS[tool]} | " + " | ".join(cells) + " |")
        add("")
    if any("round_trips_median" in s.extra for s in samples):
        add("## Round trips per node (through the relay; median over the nodes, median of runs)")
        add("")
        add(
            "A round trip is a direction turn at the relay: bytes from the tool followed by "
            "bytes from the node, per connection, summed per node; the connect counts as the "
            "tool's first bytes. Messages that cross (SSH banners, KEXINIT) can move a count by "
            "one. Each costs one RTT across a WAN unless it overlaps another connection's."
        )
        add("")
        _tool_table(add, groups, sizes, TOOLS, _trips_cell)
        relay_cpu = [s.extra["relay_cpu_s"] for s in samples if "relay_cpu_s" in s.extra]
        late = [s.extra["relay_late_ms"] for s in samples if "relay_late_ms" in s.extra]
        if relay_cpu:
            add("")
            add(
                f"The relay itself used up to {max(relay_cpu):.2f} s of CPU in a run (neither the "
                "client's nor the nodes': it stands for the network, at nice −10)"
                + (
                    f"; its timers wrote a chunk {statistics.median(late):.2f} ms late on "
                    f"average (median over runs; max of the run means {max(late):.2f} ms), on "
                    "top of the RTT/2 each way."
                    if late
                    else "."
                )
            )
        add("")

    add("## Ratios (medians)")
    add("")
    add(
        "cc = clustercheck default live run; cc−mcast = with `--skip "
        + SKIP_MCAST
        + "` (no multicast window)."
    )
    add("")
    add(
        "| N | cc / floor, wall | cc−mcast / floor, wall | cc−mcast / floor, client CPU "
        "| ansible / cc, wall | ansible / cc−mcast, wall | ansible / cc−mcast, client CPU "
        "| ansible / cc−mcast, sshd CPU | offline / cc−mcast, wall | cc−mcast / touch, wall "
        "| floor / touch, wall |"
    )
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        g = {t: groups.get((t, n), []) for t in TOOLS}

        def r(a: str, b: str, attr: str, digits: int = 2, g: dict = g) -> str:
            return _fmt(_ratio(med(g[a], attr), med(g[b], attr)), digits) + "×"

        add(
            f"| {n} | {r(LIVE, FLOOR, 'wall_s')} | {r(LIVE_FAST, FLOOR, 'wall_s')} "
            f"| {r(LIVE_FAST, FLOOR, 'client_cpu_s')} | {r(ANSIBLE, LIVE, 'wall_s', 1)} "
            f"| {r(ANSIBLE, LIVE_FAST, 'wall_s', 1)} | {r(ANSIBLE, LIVE_FAST, 'client_cpu_s', 1)} "
            f"| {r(ANSIBLE, LIVE_FAST, 'sshd_cpu_s', 1)} | {r(OFFLINE, LIVE_FAST, 'wall_s')} "
            f"| {r(LIVE_FAST, TOUCH, 'wall_s')} | {r(FLOOR, TOUCH, 'wall_s')} |"
        )
    add("")

    big = [n for n in sizes if n >= 10]
    span = f"N={big[0]}…{big[-1]}" if len(big) >= 2 else f"N={sizes[0]}…{sizes[-1]}"
    add(f"## Cost per extra node (least-squares slope over {span}), ms/node")
    add("")
    add("| tool | wall | client CPU | sshd CPU |")
    add("|---|---|---|---|")
    for tool in TOOLS:
        vals = [slope(groups, tool, a, sizes) for a in ("wall_s", "client_cpu_s", "sshd_cpu_s")]
        if any(v is not None for v in vals):
            add(
                f"| {LABELS[tool]} | "
                + " | ".join(_fmt(None if v is None else v * 1000, 1) for v in vals)
                + " |"
            )
    add("")

    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    for t in targets(samples, extra, sizes):
        add(f"| {t['target']} | {t['measured']} | {_verdict(t['met'])} |")
    add("")

    add("## Start-up, offline example, parsers, hostile file")
    add("")
    g_help = groups.get(("clustercheck --help", 0), [])
    st = extra.get("startup", {})
    if g_help:
        add(
            f"* `clustercheck --help`: median **{_fmt(med(g_help, 'wall_s'), 3)} s** wall "
            f"[{min(s.wall_s for s in g_help):.3f}–{max(s.wall_s for s in g_help):.3f}] ×{len(g_help)}, "
            f"{_fmt(med(g_help, 'client_cpu_s'), 3)} s CPU, {_fmt(med(g_help, 'maxrss_mb'), 0)} MB; "
            f"{st.get('modules_loaded', '?')} modules loaded; heavy packages imported: "
            f"{', '.join(st.get('heavy_imported', [])) or 'none'} (scapy/paramiko: "
            f"{', '.join(st.get('scapy_or_paramiko', [])) or 'neither'}). Largest imports: "
            + ", ".join(
                f"{t['module']} {t['cumulative_ms']:.0f} ms" for t in st.get("top_imports", [])[:5]
            )
            + "."
        )
    g_ex = groups.get(("example-offline", 0), [])
    if g_ex:
        add(
            f"* `clustercheck run examples/seed-cluster/inventory.yaml` (offline, 4 nodes): median "
            f"**{_fmt(med(g_ex, 'wall_s'), 3)} s** [{min(s.wall_s for s in g_ex):.3f}–"
            f"{max(s.wall_s for s in g_ex):.3f}] ×{len(g_ex)}, {_fmt(med(g_ex, 'client_cpu_s'), 3)} s CPU, "
            f"{_fmt(med(g_ex, 'maxrss_mb'), 0)} MB."
        )
    parsing = extra.get("parsing", {})
    for mode, label in (("all", "every corpus file"), ("largest", "the largest corpus file")):
        p = parsing.get(mode)
        if not p:
            continue
        if "error" in p:
            add(f"* parsing {label}: error: {p['error']}")
            continue
        what = ", ".join(f"{k} {v}" for k, v in p["parsers"].items())
        name = f" (`{p['largest']}`)" if p.get("largest") else ""
        add(
            f"* parsing {label}{name}: {p['files']} file(s), {p['bytes'] / 1024:.0f} KiB ({what}): "
            f"**{p['median_s'] * 1000:.2f} ms** per pass (median of {p['passes']}, "
            f"min {p['min_s'] * 1000:.2f}, max {p['max_s'] * 1000:.2f}); Python heap peak "
            f"**{p['tracemalloc_peak_mb']:.2f} MB** (tracemalloc); process ru_maxrss "
            f"{p['maxrss_before_mb']:.1f} → {p['maxrss_after_mb']:.1f} MB. Corpus: `{parsing.get('corpus')}`."
        )
    hostile = extra.get("hostile")
    if hostile:
        for transport, label in (("ssh", "over SSH"), ("local", "with transport local")):
            h = hostile.get(transport)
            if h:
                add(
                    f"* hostile node, {hostile['server_xml_bytes'] / 2**20:.0f} MB server.xml, {label}: "
                    f"refused by the cap: **{h['refused_by_cap']}**, ru_maxrss **{h['maxrss_mb']:.0f} MB**, "
                    f'{h["wall_s"]:.2f} s, exit {h["rc"]}. Message: "{h["message"]}"'
                )
    add("")

    prof = extra.get("profile")
    if prof:
        add(f"## Why: profiles of the live runs at N={prof['n']}")
        add("")
        for part in prof.get("parts", []):
            add(f"### {part['title']}")
            add("")
            add(part["summary"])
            add("")
            add("| " + " | ".join(part["columns"]) + " |")
            add("|---" * len(part["columns"]) + "|")
            for row in part["rows"]:
                add("| " + " | ".join(str(c) for c in row) + " |")
            if part.get("buckets"):
                add("")
                add(
                    "By area (a sample counts once per area): "
                    + "; ".join(f"{k} {v:.1f}%" for k, v in part["buckets"].items())
                )
            add("")
    lines += nodeprofile.markdown(extra.get("node_profile", {}))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ profiles

BUCKETS = {
    "imports (importlib)": ("<frozen importlib._bootstrap", "importlib/"),
    "SSH key exchange + auth": (
        "paramiko/transport.py:_activate_outbound",
        "paramiko/kex_",
        "auth_handler",
        "paramiko/ed25519key",
        "paramiko/pkey",
    ),
    "paramiko packets/crypto": ("paramiko/packet.py", "paramiko/cipher", "cryptography/"),
    "SFTP client": ("paramiko/sftp",),
    "zip reading": ("zipfile",),
    "clustercheck parsers": ("clustercheck/parsers/",),
    "checks + report": (
        "clustercheck/engine/",
        "clustercheck/derive/",
        "checks/",
        "reports/",
        "clustercheck/report/",
    ),
    "inventory/YAML": ("clustercheck/inventory/", "yaml/"),
}


def _frame_key(frame: str) -> str:
    """'func (path/to/file.py:123)' -> 'func (file.py)' with a short path."""
    name, _, rest = frame.partition(" (")
    path = rest.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "lib/python3", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


_OWN = re.compile(r"\((?:[^()]*/)?(?:clustercheck|checks|reports)/")


def _parse_raw(raw: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            stacks.append(([f for f in stack.split(";") if f], int(count)))
    return stacks


def summarize_cpu(raw: Path, rate: int, client_cpu: float | None) -> dict:
    """py-spy --gil samples: where the Python CPU of every thread goes."""
    stacks = _parse_raw(raw)
    total = sum(c for _, c in stacks) or 1
    self_counts: dict[str, int] = defaultdict(int)
    incl_counts: dict[str, int] = defaultdict(int)
    bucket_counts: dict[str, int] = defaultdict(int)
    for frames, c in stacks:
        if not frames:
            continue
        self_counts[_frame_key(frames[-1])] += c
        for key in {_frame_key(f) for f in frames}:
            incl_counts[key] += c
        for bucket, markers in BUCKETS.items():
            if any(m in f for f in frames for m in markers):
                bucket_counts[bucket] += c
    rows = [
        [f"`{k}`", f"{c / rate:.2f}", f"{100 * c / total:.1f}", f"{incl_counts[k] / rate:.2f}"]
        for k, c in sorted(self_counts.items(), key=lambda kv: -kv[1])[:15]
    ]
    seen = {r[0] for r in rows}
    interesting = [
        (k, c)
        for k, c in sorted(incl_counts.items(), key=lambda kv: -kv[1])
        if f"`{k}`" not in seen and _OWN.search(k)
    ][:12]
    rows += [
        [
            f"`{k}` (inclusive)",
            f"{self_counts.get(k, 0) / rate:.2f}",
            f"{100 * self_counts.get(k, 0) / total:.1f}",
            f"{c / rate:.2f}",
        ]
        for k, c in interesting
    ]
    cpu = f"; the client's measured CPU (rusage) was {client_cpu:.2f} s" if client_cpu else ""
    return {
        "title": "Client CPU by function (py-spy --gil: samples holding the GIL, all threads)",
        "summary": f"{total} samples at {rate} Hz = {total / rate:.2f} s of Python CPU{cpu}. "
        "Top 15 by self time, then clustercheck's largest inclusive frames.",
        "columns": ["function (file)", "self, s", "self %", "inclusive, s"],
        "rows": rows,
        "buckets": {
            k: 100 * v / total for k, v in sorted(bucket_counts.items(), key=lambda kv: -kv[1])
        },
    }


def _code(source: Path | None, where: str) -> str:
    """The source line a 'name (path:line)' frame points at, when it is clustercheck's."""
    try:
        path, line = where.rsplit("(", 1)[1].rstrip(")").rsplit(":", 1)
        text = (source / path).read_text().splitlines()[int(line) - 1].strip() if source else ""
    except (OSError, ValueError, IndexError):
        return ""
    return "`" + text[:90].replace("|", "\\|") + "`" if text else ""


def summarize_wall(raw: Path, rate: int, source: Path | None = None) -> dict:
    """py-spy --idle --threads samples of the main thread: where the wall time goes."""
    stacks = [
        (f, c)
        for f, c in _parse_raw(raw)
        if any(x.startswith("main (") and "cli.py" in x for x in f)
    ]
    total = sum(c for _, c in stacks) or 1
    where: dict[str, int] = defaultdict(int)
    for frames, c in stacks:
        own = [f for f in frames if _OWN.search(f)]
        key = own[-1] if own else frames[-1]
        name, _, rest = key.partition(" (")
        where[f"{name} ({rest.rstrip(')')})"] += c
    rows = [
        [f"`{k}`", _code(source, k), f"{c / rate:.2f}", f"{100 * c / total:.1f}"]
        for k, c in sorted(where.items(), key=lambda kv: -kv[1])[:12]
    ]
    return {
        "title": "Wall time of the main thread, by the innermost clustercheck frame (py-spy --idle)",
        "summary": f"{total} samples at {rate} Hz = {total / rate:.2f} s of the main thread's wall "
        "time (waiting included: a frame waiting on the worker pool or on a capture counts).",
        "columns": ["where (innermost clustercheck frame)", "code", "wall, s", "%"],
        "rows": rows,
    }


def summarize_cprofile(prof: Path) -> dict:
    import pstats

    stats = pstats.Stats(str(prof))
    # total_tt and stats are Stats' (undocumented) data, which typeshed leaves out; the
    # documented get_stats_profile() keys functions by bare name and so merges namesakes
    total = stats.total_tt or 1  # type: ignore[attr-defined]
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:20]  # type: ignore[attr-defined]
    rows = [
        [
            f"`{name} ({Path(path).name}:{line})`",
            f"{tt:.2f}",
            f"{100 * tt / total:.1f}",
            f"{ct:.2f}",
        ]
        for (path, line, name), (_cc, _nc, tt, ct, _callers) in entries
    ]
    return {
        "title": "cProfile (main thread only; py-spy unavailable)",
        "summary": f"total {total:.2f} s",
        "columns": ["function", "self, s", "self %", "inclusive, s"],
        "rows": rows,
    }
