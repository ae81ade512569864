#!/usr/bin/env python3
"""clustercheck's benchmark: speed and scale, side by side with what a user would otherwise use.

    python bench/run.py [--quick] [--sizes 1,10,30,60,100] [--repeat N]

See bench/README.md. Needs root-free nothing but: Debian's openssh-server and openssh-client,
Python >= 3.11 with venv, and PyPI (for the two virtualenvs it makes beside this file).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import nodefiles  # noqa: E402
import nodeprofile  # noqa: E402
import report  # noqa: E402
from measure import PROTECTED, Sample, become_subreaper, reap_orphans, run_measured  # noqa: E402
from report import med  # noqa: E402
from sshd import SshdFleet, address, free_port, openssh_version, setup_private_net  # noqa: E402

REPO = HERE.parent
SOURCE = REPO  # the clustercheck tree installed into bench/.venv (--source)
VENV = HERE / ".venv"
VENV_ANSIBLE = HERE / ".venv-ansible"
RESULTS = HERE / "results"
EXAMPLE_REL = "examples/seed-cluster/inventory.yaml"
HOSTILE_BYTES = 50 * 1024 * 1024
NETNS_ENV = "CCBENCH_IN_NETNS"

from nodeside import JavaCounter, NodeGroup, NodeSide, Relay  # noqa: E402
from report import ANSIBLE, FLOOR, LIVE, LIVE_FAST, OFFLINE, SKIP_MCAST, TOOLS, TOUCH  # noqa: E402


def check_dev_null() -> None:
    """A tool run as root that replaces /dev/null with a file breaks the whole machine: put the
    device back and say so loudly."""
    import stat as st

    if not st.S_ISCHR(os.stat("/dev/null").st_mode):
        log(
            "WARNING: /dev/null was replaced by a regular file (by a tool under test?); restoring it"
        )
        os.unlink("/dev/null")
        os.mknod("/dev/null", 0o666 | st.S_IFCHR, os.makedev(1, 3))
        os.chmod("/dev/null", 0o666)


def floor_probe_script() -> str:
    """The floor's probe script (ansible runs the same one)."""
    text = (HERE / "floor_paramiko.py").read_text()
    return text.split('PROBE = r"""', 1)[1].split('"""', 1)[0]


def _probe_args(probe: dict) -> list[str]:
    if not probe["targets"]:
        return []
    return [probe["mode"], "2.0"] + [str(v) for pair in probe["targets"] for v in pair]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ environments


def _pip(venv: Path, *args: str) -> None:
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", *args], check=True)


def _works(python: Path, code: str) -> bool:
    """Whether `code` runs in the venv; isolated (-I), so a `clustercheck` folder in the current
    directory (this repository's, when the bench is started from it) is not what it imports."""
    if not python.exists():
        return False
    return subprocess.run([str(python), "-I", "-c", code], capture_output=True).returncode == 0


def ensure_venvs(need_ansible: bool, source: Path) -> None:
    """bench/.venv: clustercheck from this repository (editable) and py-spy; bench/.venv-ansible:
    ansible-core. Made with this interpreter when missing or broken."""
    check = (
        "import clustercheck.cli.main, paramiko, yaml, rich, defusedxml, jinja2, pathlib, sys; "
        f"sys.exit(pathlib.Path(clustercheck.__file__).resolve().parent.parent != pathlib.Path({str(source)!r}))"
    )
    # the console script too: an editable install keeps importing from the tree, but its script
    # still names the entry point of the day it was made (clustercheck.cli:main before 0.2)
    script = VENV / "bin/clustercheck"
    script_runs = (
        script.exists()
        and subprocess.run([str(script), "--version"], capture_output=True).returncode == 0
    )
    if not (_works(VENV / "bin/python", check) and script_runs):
        log(f"installing clustercheck from {source} into {VENV}")
        if not (VENV / "bin/python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        _pip(VENV, "-e", str(source))
    if not (VENV / "bin/py-spy").exists():
        try:
            _pip(VENV, "py-spy")
        except subprocess.CalledProcessError:
            log("py-spy could not be installed: profiling will use cProfile")
    if need_ansible and not (VENV_ANSIBLE / "bin/ansible-playbook").exists():
        log(f"installing ansible-core into {VENV_ANSIBLE}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV_ANSIBLE)], check=True)
        _pip(VENV_ANSIBLE, "ansible-core")


def _version_of(python: Path, module: str) -> str:
    out = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({module!r}))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "?"


def machine_info() -> dict:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    os_name = ""
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    git = subprocess.run(
        ["git", "-C", str(SOURCE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(SOURCE), "status", "--porcelain", "--", "clustercheck", "checks"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if SOURCE != REPO:
        marker = SOURCE / "SOURCE_COMMIT"
        git = f"{marker.read_text().strip() if marker.exists() else '?'} (tree {SOURCE})"
        dirty = ""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model,
        "mem_gib": round(mem_kb / 2**20, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": subprocess.run(
            [str(VENV / "bin/python"), "-V"], capture_output=True, text=True
        ).stdout.strip(),
        "openssh": openssh_version(),
        "paramiko": _version_of(VENV / "bin/python", "paramiko"),
        "ansible_core": _version_of(VENV_ANSIBLE / "bin/python", "ansible-core")
        if VENV_ANSIBLE.exists()
        else "-",
        "clustercheck_commit": (git or "?") + (" + uncommitted changes" if dirty else ""),
        "load_start": os.getloadavg(),
    }


# ------------------------------------------------------------------------------ the cluster


class Bench:
    # free ports on every address, chosen by main() once the fleet is prepared
    ajp_port: int
    receiver_port: int

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.sizes: list[int] = args.sizes
        self.nmax = max(self.sizes)
        # index 0: the httpd node; 1..nmax: the Tomcats; nmax+1: the hostile node
        self.private_net = os.environ.get(NETNS_ENV) == "1"
        self.addresses = [address(i, self.private_net) for i in range(self.nmax + 2)]
        self.fleet = SshdFleet(work, self.addresses)
        self.relay: Relay | None = None
        self.node_side = NodeSide(None, None, None)  # filled in by start_node_side
        self.samples: list[Sample] = []
        self.extra: dict = {}
        self.windows: list[tuple[str, int, float, float]] = []  # timed runs: tool, N, start, end
        self.node_log: Path | None = None  # --node-profile's command log
        self.raw = open(work / "raw.jsonl", "a")  # noqa: SIM115 (closed in finish)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(self.fleet.home),
            "LANG": "C.UTF-8",
            "COLUMNS": "120",
        }

    # -- files --------------------------------------------------------------------------

    def build_nodes(self) -> None:
        log(f"building {self.nmax} Tomcat nodes + 1 httpd node under {self.work}/nodes")
        shared = self.work / "shared-archives"
        shared.mkdir(parents=True, exist_ok=True)
        self.jar, self.war = shared / "catalina.jar", shared / "api.war"
        nodefiles.catalina_jar(self.jar)
        nodefiles.war(self.war)
        self.jdk = str(self.node_side.java.home) if self.node_side.java else nodefiles.java_home()
        for i in range(1, self.nmax + 1):
            nodefiles.tomcat_node(
                self.tomcat_base(i),
                self.tomcat_name(i),
                self.addresses[i],
                self.jar,
                self.war,
                self.ajp_port,
                self.receiver_port,
                self.jdk,
            )

    def start_listeners(self) -> None:
        """The simulated Tomcats' AJP connectors (CPing/CPong), replication receivers and
        multicast heartbeats (only the members of the current size beat)."""
        self.members_file = self.work / "heartbeat-members.txt"
        self.members_file.write_text("")
        tomcats = self.addresses[1:]
        procs = []
        for i in range(0, len(tomcats), 16):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "fake_tomcat.py"),
                    str(self.ajp_port),
                    str(self.receiver_port),
                    "228.0.0.4:45564",
                    "500",
                    str(self.members_file),
                    *tomcats[i : i + 16],
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=(self.work / f"fake_tomcat_{i // 16}.log").open("wb"),
            )
            self.fleet.extra.append(proc)
            procs.append(proc)
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != b"ready":
                raise SystemExit(
                    f"bench: the AJP/receiver listeners did not start; see {self.work}/fake_tomcat_*.log"
                )

    def tomcat_name(self, i: int) -> str:
        return f"tomcat{i:03d}"

    def tomcat_base(self, i: int) -> Path:
        return self.work / "nodes" / self.tomcat_name(i)

    def start_node_side(self) -> None:
        """The node side's cgroup and JVM counter (before the nodes and sshd exist: their
        setenv.sh names the counting JDK, and sshd starts inside the cgroup)."""
        try:
            group: NodeGroup | None = NodeGroup(f"ccbench-{os.getpid()}")
        except OSError as exc:
            log(f"no cgroup for the node side ({exc}): node CPU and memory are not measured")
            group = None
        self.fleet.group = group
        java = JavaCounter(self.work, nodefiles.java_home(), self.fleet.node_bin)
        self.node_side = NodeSide(group, java, None)
        self.extra["node_side"] = {"cgroup": group.usable if group else "none"}

    def start_relay(self) -> None:
        """--rtt-ms/--count-rtt: every tool reaches the nodes' sshd through bench/relay.py."""
        rtt = self.args.rtt_ms or 0.0
        self.relay = Relay(self.work, rtt)
        port = free_port(self.addresses, 24990)
        proc = self.relay.start(self.addresses, port, self.fleet.port, self.work / "relay.log")
        PROTECTED.add(proc.pid)
        self.fleet.trust_port(port)
        self.node_side.relay = self.relay
        check = self.relay.verify(self.addresses[0], self.fleet.port)
        self.extra["network"] = check
        log(
            f"relay on port {port}: RTT {rtt:g} ms set; TCP connect + first byte, median of "
            f"{check['runs']}: {check['through_ms']:.1f} ms through it, {check['direct_ms']:.1f} ms direct"
        )

    @property
    def client_port(self) -> int:
        """Where the tools reach a node's sshd: the relay when there is one."""
        return self.relay.port if self.relay else self.fleet.port

    def _ssh_defaults(self) -> dict:
        return {
            "user": self.fleet.user,
            "port": self.client_port,
            "identity_file": str(self.fleet.client_key),
            "known_hosts": str(self.fleet.known_hosts),
            "config": str(self.fleet.ssh_config),
        }

    def write_inventories(self, n: int) -> dict[str, Path]:
        """clustercheck's inventory, the floor's spec and ansible's inventory for N Tomcats."""
        members = [(self.tomcat_name(i), self.addresses[i]) for i in range(1, n + 1)]
        web_root = self.work / "nodes" / f"web1-n{n}"
        jk_conf, server_root = nodefiles.apache_node(web_root, members, self.ajp_port)
        nodes = {
            "web1": {
                "host": self.addresses[0],
                "roles": ["apache"],
                "apache": {"jk_conf": jk_conf, "server_root": server_root},
            }
        }
        reads = {"web1": nodefiles.apache_reads(jk_conf, server_root)}
        for i in range(1, n + 1):
            name, base = self.tomcat_name(i), str(self.tomcat_base(i))
            nodes[name] = {
                "host": self.addresses[i],
                "roles": ["tomcat"],
                "tomcat": {"catalina_base": base},
            }
            reads[name] = nodefiles.tomcat_reads(base)
        inventory = {
            "cluster": f"bench-{n}",
            "defaults": {"ssh": self._ssh_defaults()},
            "nodes": nodes,
        }
        paths = {
            "inventory": self.work / f"inventory-{n}.yaml",
            "floor": self.work / f"floor-{n}.json",
            "ansible": self.work / f"ansible-{n}.yml",
        }
        # JSON is YAML: no PyYAML needed in the harness
        paths["inventory"].write_text(json.dumps(inventory, indent=1))
        # the commands and probes of clustercheck's live run (see floor_paramiko.py)
        java = f"{self.jdk}/bin/java"
        tomcat_hosts = [self.addresses[i] for i in range(1, n + 1)]
        work: dict[str, dict[str, Any]] = {
            "web1": {
                "java": "",
                "probe": {"mode": "cping", "targets": [[h, self.ajp_port] for h in tomcat_hosts]},
            }
        }
        for i in range(1, n + 1):
            others = [[h, self.receiver_port] for h in tomcat_hosts if h != self.addresses[i]]
            work[self.tomcat_name(i)] = {"java": java, "probe": {"mode": "tcp", "targets": others}}
        spec = {
            **{k: str(v) for k, v in self._ssh_defaults().items()},
            "port": self.client_port,
            "probe_timeout": 2.0,
            "nodes": [
                {
                    "name": name,
                    "host": nodes[name]["host"],
                    "commands": ["ip -o addr show"],
                    "timesync": ["chronyc -n tracking", "timedatectl show", "ntpq -pn"],
                    **r,
                    **work[name],
                }
                for name, r in reads.items()
            ],
        }
        paths["floor"].write_text(json.dumps(spec, indent=1))
        ansible_inv = {
            "all": {
                "vars": {
                    "ansible_user": self.fleet.user,
                    "ansible_port": self.client_port,
                    "ansible_ssh_private_key_file": str(self.fleet.client_key),
                    "ansible_python_interpreter": "/usr/bin/python3",
                    "cc_probe_script": floor_probe_script(),
                },
                "hosts": {
                    name: {
                        "ansible_host": nodes[name]["host"],
                        "cc_files": r["files"],
                        "cc_dirs": r["dirs"],
                        "cc_members": r["members"],
                        "cc_java": work[name]["java"],
                        "cc_probe_args": _probe_args(work[name]["probe"]),
                    }
                    for name, r in reads.items()
                },
            }
        }
        paths["ansible"].write_text(json.dumps(ansible_inv, indent=1))
        return paths

    def write_ansible_cfg(self) -> None:
        self.cp_dir = self.work / "ansible-cp"
        self.cp_dir.mkdir(exist_ok=True)
        cfg = self.work / "ansible.cfg"
        cfg.write_text(
            "[defaults]\n"
            "host_key_checking = False\n"
            "interpreter_python = /usr/bin/python3\n"
            "gathering = explicit\n"
            "retry_files_enabled = False\n"
            f"local_tmp = {self.work}/ansible-local\n"
            f"remote_tmp = {self.fleet.home}/.ansible/tmp\n"
            "deprecation_warnings = False\n"
            "[ssh_connection]\n"
            "pipelining = True\n"
            # ansible's default ssh_args, plus: no ~/.ssh/config, no known_hosts writes, our key only
            "ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -F /dev/null "
            "-o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes\n"
            f"control_path_dir = {self.cp_dir}\n"
        )
        self.ansible_env = {**self.env, "ANSIBLE_CONFIG": str(cfg), "ANSIBLE_NOCOLOR": "1"}

    def close_ansible_masters(self) -> None:
        """`ssh -O exit` on every ControlPersist socket: each run starts cold, as in the notes."""
        sockets = [p for p in self.cp_dir.iterdir()] if self.cp_dir.exists() else []
        procs = [
            subprocess.Popen(
                ["ssh", "-F", "/dev/null", "-o", f"ControlPath={s}", "-O", "exit", "bench"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for s in sockets
        ]
        for proc in procs:
            proc.wait()
        for s in sockets:
            s.unlink(missing_ok=True)

    # -- measuring ------------------------------------------------------------------------

    def record(self, sample: Sample) -> Sample:
        check_dev_null()
        self.samples.append(sample)
        self.raw.write(json.dumps({"kind": "run", **sample.as_dict()}) + "\n")
        self.raw.flush()
        status = "ok" if sample.ok else f"FAILED rc={sample.rc}"
        log(
            f"  {sample.tool:<21} N={sample.n:<3} #{sample.run} wall {sample.wall_s:6.2f} s  "
            f"client {sample.client_cpu_s:5.2f} s  sshd {sample.sshd_cpu_s:5.2f} s  "
            f"rss {sample.maxrss_mb:5.0f} MB  {status}"
        )
        return sample

    def cc(self) -> str:
        return str(VENV / "bin/clustercheck")

    def argv(self, tool: str, n: int, paths: dict[str, Path]) -> list[str]:
        # --json to a scratch file, not /dev/null: clustercheck before e936e7a replaced
        # /dev/null with a regular file when run as root
        report = str(self.work / "report-scratch.json")
        if tool == LIVE:
            return [
                self.cc(),
                "run",
                str(paths["inventory"]),
                "--json",
                str(self.work / f"report-live-{n}.json"),
                "-q",
            ]
        if tool == LIVE_FAST:
            return [
                self.cc(),
                "run",
                str(paths["inventory"]),
                "--skip",
                SKIP_MCAST,
                "--json",
                report,
                "-q",
            ]
        if tool == OFFLINE:
            return [self.cc(), "run", str(self.work / f"snapshot-{n}"), "--json", report, "-q"]
        if tool in (FLOOR, TOUCH):
            touch = ["--touch"] if tool == TOUCH else []
            return [
                str(VENV / "bin/python"),
                str(HERE / "floor_paramiko.py"),
                *touch,
                str(paths["floor"]),
            ]
        return [
            str(VENV_ANSIBLE / "bin/ansible-playbook"),
            "-i",
            str(paths["ansible"]),
            "-f",
            str(n + 1),
            str(HERE / "ansible/gather.yml"),
        ]

    def measure(self, tool: str, n: int, run: int, paths: dict[str, Path]) -> Sample:
        logfile = self.work / "logs" / f"{tool}-{n}-{run}.txt"
        expect: tuple[int, ...]
        if tool == ANSIBLE:
            self.close_ansible_masters()
            reap_orphans(PROTECTED)
            env, after, expect = self.ansible_env, self.close_ansible_masters, (0,)
        else:
            # clustercheck exits 1 when it has findings (the machine's own time sync, say):
            # the run is still complete; verify_live made sure every node was judged
            expect = (0, 1) if tool in (LIVE, LIVE_FAST, OFFLINE) else (0,)
            env, after = self.env, None
        start = time.time()
        sample = run_measured(
            tool,
            n,
            run,
            self.argv(tool, n, paths),
            env=env,
            fleet=self.fleet,
            log=logfile,
            after=after,
            expect_rc=expect,
            timeout=self.args.timeout,
            node_side=self.node_side,
        )
        self.windows.append((tool, n, start, time.time()))
        if tool == LIVE and sample.ok:
            why = self.note_findings(n, self.work / f"report-live-{n}.json")
            if why:
                sample.ok, sample.note = False, why
        if not sample.ok:
            tail = logfile.read_text(errors="replace")[-1500:]
            log(f"{tool} N={n} failed (rc {sample.rc}); end of {logfile}:\n{tail}")
        return self.record(sample)

    def repeats(self, tool: str, n: int) -> int:
        """Runs per size: fewer where a run is long (the budget is ~15 min on 2 cores)."""
        args = self.args
        if tool not in args.tools:
            return 0
        if tool == ANSIBLE:
            if args.no_ansible:
                return 0
            if n > args.ansible_max:
                return 0
            if args.ansible_repeat is not None:
                return args.ansible_repeat
            default = 1 if args.quick else (2 if n <= 10 else 1)
            return min(default, args.repeat) if args.repeat else default
        if args.repeat:
            return args.repeat
        if tool in (LIVE, OFFLINE):  # the multicast window and judging grow fast with N
            return 2 if args.quick else (3 if n <= 30 else 2 if n <= 60 else 1)
        return 3 if args.quick else (5 if n <= 30 else 3)

    def verify_live(self, n: int, paths: dict[str, Path]) -> None:
        """One untimed run with a JSON report (also the warm-up): every node reached and the
        healthy cluster judged without a failure or an error."""
        out = self.work / f"verify-{n}.json"
        # without the multicast checks: cheap at any N; the default runs' own reports add the
        # membership findings (see note_findings)
        # and without CC804: no httpd runs in the simulation, so its status page cannot answer
        proc = subprocess.run(
            [
                self.cc(),
                "run",
                str(paths["inventory"]),
                "--skip",
                f"{SKIP_MCAST},CC804",
                "--json",
                str(out),
                "-q",
            ],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if not out.exists():
            raise SystemExit(f"bench: clustercheck wrote no report at N={n}: {proc.stderr.strip()}")
        data = json.loads(out.read_text())
        down = [x["name"] for x in data["nodes"] if not x["reachable"]]
        errors = [r for r in data["results"] if r["status"] == "error"]
        findings: dict[str, dict] = {}
        for r in data["results"]:
            if r["status"] in ("warn", "fail"):
                f = findings.setdefault(
                    f"{r['code']} {r['status']}", {"count": 0, "example": r["message"]}
                )
                f["count"] += 1
        summary = data["summary"]
        self.extra.setdefault("verify", {})[n] = {
            "rc": proc.returncode,
            "summary": summary,
            "findings": findings,
        }
        if down or errors or len(data["nodes"]) != n + 1 or proc.returncode not in (0, 1):
            for r in errors[:10]:
                log(f"  {r['code']} {r['status']} {r.get('node')}: {r['message']}")
            raise SystemExit(
                f"bench: the simulated cluster could not be judged at N={n} (exit "
                f"{proc.returncode}; unreachable: {down[:5]}; error results: {len(errors)}); see {out}"
            )
        log(f"verified N={n}: {summary} (exit {proc.returncode})")
        for key, f in findings.items():
            log(f"  finding {key} ×{f['count']}: {f['example'][:150]}")

    def note_findings(self, n: int, report_path: Path) -> str:
        """Add the findings of a default live run's report to the size's verification; return
        why the run does not count ('' when it does)."""
        try:
            data = json.loads(report_path.read_text())
        except (OSError, ValueError):
            return "no JSON report"
        down = [x["name"] for x in data["nodes"] if not x["reachable"]]
        # CC804 cannot answer here: no httpd runs in the simulation (verify_live skips it)
        errors = [r for r in data["results"] if r["status"] == "error" and r["code"] != "CC804"]
        verify = self.extra.setdefault("verify", {}).setdefault(n, {"findings": {}})
        for r in data["results"]:
            if r["status"] in ("warn", "fail") and r["code"] in SKIP_MCAST.split(","):
                key = f"{r['code']} {r['status']}"
                f = verify["findings"].setdefault(key, {"count": 0, "example": r["message"]})
                f["count"] = max(
                    f["count"],
                    sum(1 for x in data["results"] if f"{x['code']} {x['status']}" == key),
                )
        verify["default_summary"] = data["summary"]
        verify["window_s"] = data.get("views", {}).get("multicast", {}).get("window_s")
        if down or errors:
            return f"unreachable {down[:3]}, {len(errors)} error result(s)"
        return ""

    def collect(self, n: int, paths: dict[str, Path]) -> None:
        snap = self.work / f"snapshot-{n}"
        if snap.exists():
            shutil.rmtree(snap)
        sample = run_measured(
            "clustercheck-collect",
            n,
            1,
            [self.cc(), "collect", str(paths["inventory"]), "-o", str(snap)],
            env=self.env,
            fleet=self.fleet,
            log=self.work / "logs" / f"collect-{n}.txt",
        )
        if not (snap / "snapshot.json").exists():
            log(f"collect wrote no snapshot at N={n}")
        self.record(sample)
        if not sample.ok:
            raise SystemExit(f"bench: clustercheck collect failed at N={n}")

    def run_size(self, n: int) -> None:
        log(f"=== N={n} Tomcat nodes (+1 httpd node = {n + 1} SSH connections)")
        paths = self.write_inventories(n)
        self.members_file.write_text("\n".join(self.addresses[1 : n + 1]) + "\n")
        time.sleep(1.5)  # every member has sent a few heartbeats
        self.verify_live(n, paths)
        if OFFLINE in self.args.tools:
            self.collect(n, paths)
        plan = {tool: self.repeats(tool, n) for tool in TOOLS}
        if n == self.sizes[0] and plan[FLOOR] + plan[ANSIBLE]:  # warm-ups, not recorded
            subprocess.run(self.argv(FLOOR, n, paths), env=self.env, capture_output=True)
            if plan[ANSIBLE]:
                self.measure(ANSIBLE, n, 0, paths)
                self.samples.pop()
        for run in range(1, max(plan.values()) + 1):  # interleaved: noise hits every tool alike
            for tool in TOOLS:
                if run <= plan[tool]:
                    self.measure(tool, n, run, paths)

    # -- other measurements -------------------------------------------------------------

    def startup(self) -> None:
        log("clustercheck --help start-up (10 runs) and what it imports")
        runs = [
            run_measured(
                "clustercheck --help",
                0,
                i,
                [self.cc(), "--help"],
                env=self.env,
                fleet=None,
                log=self.work / "logs" / f"help-{i}.txt",
            )
            for i in range(1, 11)
        ]
        for s in runs:
            self.record(s)
        probe = (
            "import sys, json\n"
            "from clustercheck.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "tops = sorted({m.split('.')[0] for m in sys.modules})\n"
            "print(json.dumps({'modules': len(sys.modules), 'tops': tops}), file=sys.stderr)\n"
        )
        out = subprocess.run(
            [str(VENV / "bin/python"), "-X", "importtime", "-c", probe],
            env=self.env,
            capture_output=True,
            text=True,
        )
        lines = out.stderr.strip().splitlines()
        info = json.loads(lines[-1])
        heavy = [
            m
            for m in ("scapy", "paramiko", "cryptography", "rich", "yaml", "jinja2", "defusedxml")
            if m in info["tops"]
        ]
        # -X importtime lines: "import time: self [us] | cumulative | imported package"
        costs = []
        for line in lines[:-1]:
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[1].isdigit() and not parts[2].startswith(" "):
                costs.append((int(parts[1]), parts[2]))
        top = [
            {"module": name.strip(), "cumulative_ms": us / 1000}
            for us, name in sorted(costs, reverse=True)
            if not name.startswith(" ")
        ][:8]
        self.extra["startup"] = {
            "modules_loaded": info["modules"],
            "heavy_imported": heavy,
            "scapy_or_paramiko": [m for m in heavy if m in ("scapy", "paramiko")],
            "top_imports": top,
        }

    def example_offline(self) -> None:
        log(f"offline run of {EXAMPLE_REL} (10 runs)")
        for i in range(1, 11):
            self.record(
                run_measured(
                    "example-offline",
                    0,
                    i,
                    [
                        self.cc(),
                        "run",
                        EXAMPLE_REL,
                        "--json",
                        str(self.work / "report-scratch.json"),
                        "-q",
                    ],
                    env=self.env,
                    fleet=None,
                    log=self.work / "logs" / f"example-{i}.txt",
                    cwd=str(SOURCE),
                    expect_rc=(1,),  # the example has findings on purpose
                )
            )

    def parsing(self) -> None:
        corpus = Path(
            os.environ.get("CLUSTERCHECK_CORPUS") or (REPO.parent / "shared" / "corpus")
        ).resolve()
        log(f"parsers over the corpus {corpus}")
        result: dict[str, Any] = {"corpus": str(corpus)}
        for mode in ("all", "largest"):
            out = subprocess.run(
                [str(VENV / "bin/python"), str(HERE / "parse_bench.py"), str(corpus), mode],
                env=self.env,
                capture_output=True,
                text=True,
            )
            try:
                result[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                result[mode] = {"error": (out.stderr or out.stdout).strip()[-500:]}
        self.extra["parsing"] = result

    def hostile(self) -> None:
        """A 50 MB server.xml on a node: refused by the size cap, memory stays low."""
        log("hostile node: a 50 MB server.xml")
        index = self.nmax + 1
        base = self.work / "nodes" / "hostile"
        nodefiles.tomcat_node(
            base,
            "hostile",
            self.addresses[index],
            self.jar,
            self.war,
            self.ajp_port,
            self.receiver_port,
            self.jdk,
        )
        nodefiles.hostile_server_xml(base / "conf/server.xml", HOSTILE_BYTES)
        result: dict[str, Any] = {"server_xml_bytes": (base / "conf/server.xml").stat().st_size}
        for transport in ("ssh", "local"):
            node = {"host": self.addresses[index], "roles": ["tomcat"], "transport": transport}
            node["tomcat"] = {"catalina_base": str(base)}
            inventory = {
                "cluster": "hostile",
                "defaults": {"ssh": self._ssh_defaults()},
                "nodes": {"hostile": node},
            }
            path = self.work / f"inventory-hostile-{transport}.yaml"
            path.write_text(json.dumps(inventory, indent=1))
            report_path = self.work / f"hostile-{transport}.json"
            sample = run_measured(
                f"hostile-{transport}",
                1,
                1,
                [self.cc(), "run", str(path), "--json", str(report_path), "-q"],
                env=self.env,
                fleet=self.fleet if transport == "ssh" else None,
                log=self.work / "logs" / f"hostile-{transport}.txt",
                expect_rc=(0, 1, 2),
            )
            self.record(sample)
            text = report_path.read_text() if report_path.exists() else ""
            refused = "over the" in text and "cap" in text
            message = next(
                (
                    r["message"]
                    for r in (json.loads(text)["results"] if text else [])
                    if "cap" in r["message"]
                ),
                "",
            )
            result[transport] = {
                "wall_s": sample.wall_s,
                "maxrss_mb": sample.maxrss_mb,
                "rc": sample.rc,
                "refused_by_cap": refused,
                "message": message,
            }
        self.extra["hostile"] = result

    def profile(self, n: int) -> None:
        """Why the live runs cost what they do at N, with py-spy: the default run twice, for the
        CPU of every thread (--gil) and for the main thread's wall time (--idle); the run without
        the multicast checks once, for its CPU (what it spends beyond the floor)."""
        paths = self.write_inventories(n)
        self.members_file.write_text("\n".join(self.addresses[1 : n + 1]) + "\n")
        pyspy = VENV / "bin/py-spy"
        scratch = str(self.work / "report-scratch.json")
        default = [self.cc(), "run", str(paths["inventory"]), "--json", scratch, "-q"]
        nomcast = [
            self.cc(),
            "run",
            str(paths["inventory"]),
            "--skip",
            SKIP_MCAST,
            "--json",
            scratch,
            "-q",
        ]
        jobs = []
        if LIVE in self.args.tools:
            jobs += [(LIVE, "cpu", default), (LIVE, "wall", default)]
        if LIVE_FAST in self.args.tools:
            jobs += [(LIVE_FAST, "cpu", nomcast)]
        parts = []
        for tool, mode, argv in jobs if pyspy.exists() else []:
            raw = self.work / f"profile-{tool}-{n}-{mode}.txt"
            flags = ["--gil"] if mode == "cpu" else ["--idle", "--threads"]
            log(f"profiling {tool} at N={n} with py-spy ({mode})")
            self.fleet.wait_idle()
            proc = subprocess.run(
                [
                    str(pyspy),
                    "record",
                    "-r",
                    "100",
                    "--nonblocking",
                    *flags,
                    "-f",
                    "raw",
                    "-o",
                    str(raw),
                    "--",
                    *argv,
                ],
                env=self.env,
                capture_output=True,
                text=True,
            )
            if proc.returncode not in (0, 1) or not raw.exists():
                log(f"py-spy failed: {proc.stderr.strip()[-300:]}")
                continue
            cpu = med(
                [s for s in self.samples if s.tool == tool and s.n == n and s.ok], "client_cpu_s"
            )
            part = (
                report.summarize_cpu(raw, 100, cpu)
                if mode == "cpu"
                else report.summarize_wall(raw, 100, SOURCE)
            )
            part["title"] = f"{report.LABELS[tool]}: {part['title']}"
            parts.append(part)
        if not parts:
            prof = self.work / f"profile-{n}.prof"
            subprocess.run(
                [
                    str(VENV / "bin/python"),
                    "-m",
                    "cProfile",
                    "-o",
                    str(prof),
                    "-m",
                    "clustercheck.cli.main",
                    *default[1:],
                ],
                env=self.env,
                capture_output=True,
            )
            parts.append(report.summarize_cprofile(prof))
        self.extra["profile"] = {"n": n, "parts": parts}

    # -- results --------------------------------------------------------------------------

    def finish(self, info: dict, started: float) -> str:
        if self.node_log is not None:
            self.extra["node_profile"] = nodeprofile.summarize(self.node_log, self.windows)
        info["load_end"] = os.getloadavg()
        info["duration_s"] = time.monotonic() - started
        info["args"] = {
            "sizes": self.sizes,
            "quick": self.args.quick,
            "repeat": self.args.repeat,
            "ansible": not self.args.no_ansible,
            "rtt_ms": self.args.rtt_ms,
            "count_rtt": self.args.count_rtt,
        }
        for path in self.args.merge_raw:
            for line in Path(path).read_text().splitlines():
                record = json.loads(line)
                if record.get("kind") == "profile":  # a results .jsonl: keep its profiles too
                    earlier = record["data"]
                    mine = self.extra.setdefault("profile", {"n": earlier["n"], "parts": []})
                    mine["parts"] = earlier["parts"] + mine["parts"]
                    continue
                if record.pop("kind", None) == "run" and record["tool"] in (
                    *TOOLS,
                    "clustercheck-collect",
                ):
                    self.samples.append(Sample(**record))
                    if record["n"] not in info["args"]["sizes"]:
                        info["args"]["sizes"] = sorted({*info["args"]["sizes"], record["n"]})
            info["merged"] = list(self.args.merge_raw)
        md = report.markdown(info, self.samples, self.extra)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.md").write_text(md)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        with (RESULTS / f"{stamp}.jsonl").open("w") as out:
            out.write(json.dumps({"kind": "machine", **info}) + "\n")
            for s in self.samples:
                out.write(json.dumps({"kind": "run", **s.as_dict()}) + "\n")
            for key, value in self.extra.items():
                out.write(json.dumps({"kind": key, "data": value}, default=str) + "\n")
        shutil.copyfile(RESULTS / f"{stamp}.jsonl", RESULTS / "latest.jsonl")
        self.raw.close()
        return md


def _in_private_netns(argv: list[str] | None) -> int:
    """Run the benchmark again inside a new network namespace (root, util-linux unshare): its
    own loopback with the node addresses, no multicast from anything else on the machine, and
    everything it started gone with it."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        raise SystemExit("bench: needs unshare (util-linux) and ip (iproute2), or --no-netns")
    env = {**os.environ, NETNS_ENV: "1"}
    cmd = ["unshare", "--net", "--fork", sys.executable, str(Path(__file__).resolve())]
    cmd += list(sys.argv[1:] if argv is None else argv)
    # the child cleans up on Ctrl-C while we wait for it; a handler, not SIG_IGN, which the
    # child would inherit through exec
    signal.signal(signal.SIGINT, lambda *_: None)
    return subprocess.run(cmd, env=env).returncode


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="N=1,10 only, 3 runs each (~2 min)")
    parser.add_argument("--sizes", help="numbers of Tomcat nodes (default 1,10,30,60,100)")
    parser.add_argument("--repeat", type=int, help="runs per size of clustercheck and the floor")
    parser.add_argument("--ansible-repeat", type=int, help="runs per size of ansible")
    parser.add_argument("--no-ansible", action="store_true", help="skip ansible-core")
    parser.add_argument(
        "--ansible-max",
        type=int,
        default=60,
        help="largest N ansible runs at (default 60: at 100 one run takes ~5 min here)",
    )
    parser.add_argument("--profile", action="store_true", help="always profile (py-spy)")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds one timed run may take (default 600)"
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"which tools to time (default all: {','.join(TOOLS)})",
    )
    parser.add_argument(
        "--profile-n", type=int, help="N to profile at (default 60, else the largest)"
    )
    parser.add_argument(
        "--merge-raw",
        action="append",
        default=[],
        metavar="FILE",
        help="also report the runs recorded in FILE (a raw.jsonl of an earlier, e.g. interrupted, run)",
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        help="reach the nodes through a relay adding this round-trip time (bench/relay.py)",
    )
    parser.add_argument(
        "--count-rtt",
        action="store_true",
        help="count round trips per node through the relay even without --rtt-ms (no delay)",
    )
    parser.add_argument(
        "--node-profile",
        action="store_true",
        help="log every node command's CPU (bench/nodeprofile.py); slows every session",
    )
    parser.add_argument("--workdir", help="where nodes, keys and logs go (default: a new /tmp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument(
        "--no-netns",
        action="store_true",
        help="run in the machine's own network namespace on 127.0.0.x (clustercheck then takes "
        "every worker address for the balancer itself, and other multicast traffic is heard)",
    )
    parser.add_argument(
        "--source",
        help="the clustercheck tree to install into bench/.venv (default: this repository); "
        "e.g. a `git archive` export of a commit while the work tree is being edited",
    )
    args = parser.parse_args(argv)
    default = "1,10" if args.quick else "1,10,30,60,100"
    args.sizes = sorted({int(x) for x in (args.sizes or default).split(",") if x.strip()})
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in args.tools if t not in TOOLS]
    if unknown:
        parser.error(f"--tools: unknown {', '.join(unknown)}")
    if not args.sizes or min(args.sizes) < 1 or max(args.sizes) > 250:
        parser.error("--sizes: between 1 and 250 nodes")
    if args.rtt_ms is not None and not 0 <= args.rtt_ms <= 1000:
        parser.error("--rtt-ms: between 0 and 1000")
    return args


def render(path: str) -> int:
    """Rebuild bench/results/latest.md from a results .jsonl (no measuring)."""
    info: dict = {}
    samples: list[Sample] = []
    extra: dict = {}
    for line in Path(path).read_text().splitlines():
        record = json.loads(line)
        kind = record.pop("kind")
        if kind == "machine":
            info = record
        elif kind == "run":
            samples.append(Sample(**record))
        else:
            extra[kind] = record["data"]
    if "verify" in extra:
        extra["verify"] = {int(k): v for k, v in extra["verify"].items()}
    md = report.markdown(info, samples, extra)
    (RESULTS / "latest.md").write_text(md)
    print(md)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv_list = sys.argv[1:] if argv is None else argv
    if argv_list[:1] == ["--render"] and len(argv_list) == 2:
        return render(argv_list[1])
    args = parse_args(argv)
    if sys.version_info < (3, 11):
        raise SystemExit("bench: needs Python >= 3.11 (clustercheck's own minimum)")
    started = time.monotonic()
    global SOURCE
    SOURCE = Path(args.source).resolve() if args.source else REPO
    ensure_venvs(need_ansible=not args.no_ansible, source=SOURCE)
    if not args.no_netns and os.environ.get(NETNS_ENV) != "1":
        return _in_private_netns(argv)
    if not become_subreaper():
        log(
            "warning: could not become a child subreaper; ansible's ssh masters' CPU is not counted"
        )
    work = Path(args.workdir or tempfile.mkdtemp(prefix="ccbench-"))
    work.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    bench = Bench(args, work)
    info = machine_info()
    load = info["load_start"]
    log(
        f"machine: {info['nproc']} CPU, {info['mem_gib']} GiB, {info['python']}, "
        f"{info['openssh'].split(',')[0]}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if load[0] > 0.5 * (info["nproc"] or 1):
        log("the machine is busy: numbers will be noisier (see 'other CPU' in the results)")
    try:
        if bench.private_net:
            setup_private_net(bench.addresses)
        bench.fleet.prepare()
        if args.node_profile:
            bench.fleet.force_command, bench.node_log = nodeprofile.write_wrapper(work)
        bench.start_node_side()
        bench.ajp_port = free_port(bench.addresses, 8009)
        bench.receiver_port = free_port(bench.addresses, 4000)
        bench.build_nodes()
        bench.fleet.start()
        bench.start_listeners()
        PROTECTED.update(bench.fleet.pids)
        if args.rtt_ms is not None or args.count_rtt:
            bench.start_relay()
        log(
            f"{len(bench.fleet.procs)} sshd on {len(bench.addresses)} addresses, port {bench.fleet.port}"
        )
        if not args.no_ansible:
            bench.write_ansible_cfg()
        bench.startup()
        bench.example_offline()
        bench.parsing()
        for n in args.sizes:
            bench.run_size(n)
        bench.hostile()
        need = report.targets(bench.samples, bench.extra, args.sizes)
        missed_live = any(
            t["key"].split("-")[0] in ("floor", "growth", "ansible", "memory", "window")
            and t["met"] is False
            for t in need
        )
        if args.profile or missed_live:
            bench.profile(args.profile_n or (60 if 60 in args.sizes else max(args.sizes)))
        md = bench.finish(info, started)
        print(md)
        log(
            f"results: {RESULTS / 'latest.md'} and {RESULTS / 'latest.jsonl'} ({time.monotonic() - started:.0f} s)"
        )
        return 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        # the cleanup must finish: a second Ctrl-C or SIGTERM would leave sshd behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if not args.no_ansible and hasattr(bench, "cp_dir"):
            bench.close_ansible_masters()
        bench.fleet.stop()
        if bench.relay:
            bench.relay.stop()
        if bench.fleet.group:
            bench.fleet.group.remove()
        if bench.node_side.java:
            bench.node_side.java.remove()
        PROTECTED.clear()
        reap_orphans(set(), timeout=2)
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"work dir kept: {work}")


if __name__ == "__main__":
    sys.exit(main())
