"""Command line: `clustercheck run|collect|checks|formats|explain|history`.

Imports stay inside the commands: `clustercheck --help` must start fast and never load scapy
or paramiko.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from clustercheck import __version__
from clustercheck.bugs import describe_bug
from clustercheck.cli.output import is_stdout

if TYPE_CHECKING:
    from clustercheck.collect.discover import HostSpec
    from clustercheck.collect.snapshot import Snapshot
    from clustercheck.engine.results import Status
    from clustercheck.engine.upgrade import Target
    from clustercheck.facts.cluster import ClusterFacts
    from clustercheck.inventory.settings import ClusterSettings
    from clustercheck.report.formats import Format, RenderOptions, Trend
    from clustercheck.report.model import Report
    from clustercheck.report.scope import RunScope

EPILOG = """exit codes:
  0  nothing at or above --fail-on (default: fail)
  1  something is (unreachable nodes count as error, which is above fail)
  2  usage or inventory error, nothing was judged (every result skipped), or a
     report or the history could not be written (each named on stderr)
"""


class UsageError(Exception):
    """Bad input from the user: printed as one line per problem (one argument each: a problem
    that quotes a value with a newline in it is still one line), exit 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (cron, systemd, a closed terminal) unwinds the run as Ctrl-C does, so
    that every cleanup runs: no temporary report file left, no half-written history run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        with _signals_unwind():
            return int(args.func(args))
    except UsageError as exc:
        for line in exc.args:
            _say(line)
        return 2
    except Terminated as exc:
        _say(f"terminated by {signal.Signals(exc.signum).name}")
        return 128 + exc.signum
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("CLUSTERCHECK_DEBUG"):
            raise
        _say(_internal_error(exc))
        return 2


def _reader_gone() -> int:
    """What reads clustercheck's output went away (`clustercheck explain CC603 | head`): stop
    quietly, as a Unix tool killed by SIGPIPE does. stdout is pointed at /dev/null so that
    Python's own flush at exit does not fail on the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def _say(line: str) -> None:
    """One line of clustercheck's on stderr; what it quotes (a node name, a path, a value of the
    inventory or of a snapshot) is data, escaped for the terminal."""
    from clustercheck.report.escape import terminal

    print(f"clustercheck: {terminal(line)}", file=sys.stderr)


def _internal_error(exc: Exception) -> str:
    """The bug's type and place, not its message: that may quote a node's data, a secret."""
    return (
        f"internal error: {describe_bug(exc)} "
        "(set CLUSTERCHECK_DEBUG=1 for the traceback, and please report it)"
    )


UNWINDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _signals_unwind() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while the command runs (the default would end the
    process on the spot, leaving whatever was half written); the handlers before are restored
    after, for a caller that runs main() in its own process (the tests)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    before = {signum: signal.signal(signum, unwind) for signum in UNWINDING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clustercheck",
        description="Finds what is quietly wrong in an Apache httpd + mod_jk + Tomcat cluster.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"clustercheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="gather and judge a cluster (or a snapshot directory)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("target", help="inventory.yaml, or a directory written by `collect`")
    _selection_options(run)
    run.add_argument(
        "--fail-on",
        choices=("warn", "fail", "error"),
        default="fail",
        help="lowest status that makes the exit code 1 (default: fail)",
    )
    run.add_argument("--json", metavar="FILE", help="write the JSON report ('-' for stdout)")
    run.add_argument("--html", metavar="FILE", help="write the self-contained HTML report")
    run.add_argument("--junit", metavar="FILE", help="write JUnit XML ('-' for stdout)")
    run.add_argument(
        "--prometheus",
        metavar="FILE",
        help="write node_exporter textfile-collector metrics (atomically)",
    )
    run.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="write the report in any installed format (see `clustercheck formats`); "
        "repeatable. --json F is --output json=F, and so on",
    )
    run.add_argument(
        "--history",
        metavar="FILE|URL",
        help="append this run to a history: a SQLite file, or a PostgreSQL database "
        "(postgresql://user@host:port/db; the password from PGPASSWORD or ~/.pgpass, never "
        "in the URL); the HTML report then shows what changed since the previous run",
    )
    run.add_argument(
        "--estate-url",
        metavar="URL",
        help="where the estate page (history --html) is served: the HTML report links to it "
        "(http(s)://... or a relative path)",
    )
    run.add_argument(
        "--nagios",
        action="store_true",
        help="print one Nagios status line and exit 0/1/2/3 (OK/WARNING/CRITICAL/"
        "UNKNOWN): in this mode only, the exit codes are Nagios's",
    )
    run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the short summary: the verdict, a line per check at or above "
        "--fail-on, where the reports are (what a cron mail needs)",
    )
    upgrade = run.add_argument_group(
        "upgrade readiness",
        "judge every version-dependent rule again with the target's knowledge and report what "
        "the upgrade would break, apart from today's findings (and what breaks while some "
        "Tomcat nodes are upgraded and some not); its findings count for --fail-on. A line "
        "(11.0) means its newest release clustercheck knows",
    )
    upgrade.add_argument("--target-tomcat", metavar="VERSION", help="e.g. 11.0, 10.1.58")
    upgrade.add_argument("--target-httpd", metavar="VERSION", help="e.g. 2.4, 2.4.62")
    upgrade.add_argument("--target-modjk", metavar="VERSION", help="e.g. 1.2, 1.2.50")
    run.set_defaults(func=cmd_run)

    collect = sub.add_parser("collect", help="gather a cluster into a snapshot directory")
    collect.add_argument("inventory", help="inventory.yaml")
    collect.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write")
    _selection_options(collect, checks=False)
    collect.set_defaults(func=cmd_collect)

    _discover_parser(sub)

    checks = sub.add_parser("checks", help="list the check catalogue")
    checks.add_argument("--json", action="store_true", help="as JSON")
    checks.add_argument("--markdown", action="store_true", help="as the README's catalogue")
    checks.set_defaults(func=cmd_checks)

    history = sub.add_parser(
        "history", help="list the runs recorded in a history, or write the estate page"
    )
    history.add_argument("target", metavar="FILE|URL", help="what was given to run --history")
    history.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")
    history.add_argument(
        "--html",
        metavar="FILE",
        help="write the estate page instead: every cluster's last verdict and exit code, the "
        "age of its last run (a cluster that stopped reporting flagged), its failing checks "
        "and the trend of its last runs",
    )
    history.add_argument(
        "--stale-after",
        metavar="DURATION",
        help="flag a cluster whose last run is older than this (36h, 2d, 1w); default: twice "
        "its usual interval between runs",
    )
    history.add_argument(
        "--runs", type=int, default=30, help="runs per cluster in the trend (default 30)"
    )
    history.set_defaults(func=cmd_history)

    formats = sub.add_parser("formats", help="list the output formats (built-in and plugins)")
    formats.set_defaults(func=cmd_formats)

    explain = sub.add_parser("explain", help="print a check's documentation (or a family's)")
    explain.add_argument(
        "check", help="name or code prefix, e.g. CC202, jvmroute-route-match, CC603 (a family)"
    )
    explain.set_defaults(func=cmd_explain)
    return parser


def _discover_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    discover = sub.add_parser(
        "discover",
        help="write an inventory from the balancers' configuration and the running Tomcats",
        description="Connect to the apache hosts given (same SSH rules as run), read the "
        "running httpd's configuration, follow its balancer members to their hosts and find "
        "the Tomcat serving each; write the inventory. Exit 2 when nothing is found.",
    )
    discover.add_argument("hosts", nargs="*", metavar="[USER@]HOST[:PORT]", help="apache hosts")
    discover.add_argument("-o", "--output", metavar="FILE", help="the inventory to write")
    discover.add_argument("--dry-run", action="store_true", help="print it instead")
    discover.add_argument("--force", action="store_true", help="replace an existing -o FILE")
    discover.add_argument("--cluster", metavar="NAME", help="its name (default: the first host)")
    discover.add_argument("--ssh-user", metavar="USER", help="login user (ssh.user)")
    discover.add_argument("--identity-file", metavar="FILE", help="private key (ssh.identity_file)")
    discover.add_argument("--known-hosts", metavar="FILE", help="known_hosts (ssh.known_hosts)")
    discover.add_argument("--ssh-config", metavar="FILE", help="ssh_config file (ssh.config)")
    discover.add_argument(
        "--proxy-jump", metavar="[USER@]HOST[:PORT]", help="bastion(s) (ssh.proxy_jump)"
    )
    discover.add_argument(
        "--ansible-inventory",
        metavar="PATH",
        help="the hosts of an Ansible inventory (read with ansible-inventory --list)",
    )
    discover.add_argument("--limit", metavar="PATTERN", help="Ansible's --limit, with the above")
    discover.add_argument(
        "--accept-new-host-keys",
        action="store_true",
        help="learn unknown SSH host keys into known_hosts (like accept-new)",
    )
    discover.add_argument(
        "--parallel", type=int, default=16, metavar="N", help="hosts probed at once (default 16)"
    )
    discover.set_defaults(func=cmd_discover)


def _selection_options(parser: argparse.ArgumentParser, checks: bool = True) -> None:
    if checks:
        parser.add_argument(
            "--checks",
            metavar="LIST",
            default="",
            help="only these checks (names or code prefixes, comma-separated: CC603 selects "
            "its family CC6031, CC6032..., CC6 every CC6xx check)",
        )
        parser.add_argument(
            "--skip",
            metavar="LIST",
            default="",
            help="not these checks (names or code prefixes, comma-separated)",
        )
    parser.add_argument(
        "--limit",
        metavar="LIST",
        default="",
        help="only these nodes (node names or roles, comma-separated)",
    )
    parser.add_argument(
        "--accept-new-host-keys",
        action="store_true",
        help="learn unknown SSH host keys into known_hosts (like accept-new)",
    )
    parser.add_argument(
        "--parallel", type=int, default=64, metavar="N", help="nodes gathered at once (default 64)"
    )


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _load_target(target: str) -> tuple[ClusterSettings, Snapshot | None]:
    from clustercheck.inventory.loader import InventoryError, load_inventory

    if os.path.isdir(target):
        return _load_snapshot(target)
    try:
        return load_inventory(target), None
    except InventoryError as exc:
        raise UsageError(*exc.problems) from None


def _load_snapshot(target: str) -> tuple[ClusterSettings, Snapshot]:
    """A snapshot directory; only a run of one imports what reads (and writes) snapshots."""
    from clustercheck.collect.snapshot import SnapshotError, is_snapshot, load_snapshot

    if not is_snapshot(target):
        raise UsageError(f"{target}: a directory, but not a snapshot (no snapshot.json)")
    try:
        return load_snapshot(Path(target))
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None


def _limit(settings: ClusterSettings, limit: str) -> ClusterSettings:
    """The nodes --limit names (by name or role), and the waivers that can apply to them: a
    waiver for a node left out would say it matched nothing, and a snapshot keeps none."""
    import difflib
    from dataclasses import replace

    keys = _split(limit)
    if not keys:
        return settings
    known = {n.name for n in settings.nodes} | {r for n in settings.nodes for r in n.roles}
    unknown = [k for k in keys if k not in known]
    if unknown:
        near = {k: difflib.get_close_matches(k, known, n=1, cutoff=0.6) for k in unknown}
        raise UsageError(
            *(
                f"--limit: {k} is neither a node nor a role"
                + (f" (did you mean {near[k][0]}?)" if near[k] else "")
                for k in unknown
            )
        )
    nodes = tuple(n for n in settings.nodes if n.name in keys or set(n.roles) & set(keys))
    kept = {n.name for n in nodes}
    waivers = tuple(w for w in settings.waivers if w.node is None or w.node in kept)
    return replace(settings, nodes=nodes, waivers=waivers)


def _gather(
    settings: ClusterSettings,
    args: argparse.Namespace,
    on_read=None,
    needs: frozenset[str] = frozenset({"multicast"}),
    recorded: Snapshot | None = None,
) -> ClusterFacts:
    """Gather with a progress display; costly facts only when `needs` names them (collect
    gathers everything, so a snapshot can be judged by any check later)."""
    from clustercheck.cli.progress import progress_display
    from clustercheck.collect.gather import TransportFactory, gather

    factory = TransportFactory(accept_new_host_keys=args.accept_new_host_keys)
    show = sys.stderr.isatty() and not getattr(args, "quiet", False)
    with progress_display(settings, enabled=show) as on_progress:
        return gather(
            settings,
            factory=factory,
            on_read=on_read,
            on_progress=on_progress,
            parallel=max(1, args.parallel),
            multicast="multicast" in needs,
            recorded={name: node.live for name, node in recorded.nodes.items()}
            if recorded
            else None,
        )


def _settled() -> None:
    """What the run holds now lives until it ends (its code, then its facts): frozen out of the
    garbage collector's generations, which each later collection, and the last one at exit,
    would walk again in full (~0.1 s of CPU at 30 nodes). A frozen object is still freed when
    nothing refers to it; only a reference cycle among them stays until exit."""
    gc.freeze()


def cmd_run(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from datetime import date

    from clustercheck.derive.derived import Derived
    from clustercheck.engine.log_rules import installed_log_rules
    from clustercheck.engine.registry import RegistryError, load_checks, select
    from clustercheck.engine.results import Status
    from clustercheck.engine.runner import run_checks
    from clustercheck.engine.upgrade import judge_upgrade
    from clustercheck.engine.waivers import apply_waivers, refused
    from clustercheck.report.formats import RenderOptions, Trend
    from clustercheck.report.model import ExitCode, build_report

    settings, recorded = _load_target(args.target)
    try:
        catalogue = load_checks()
        checks = select(catalogue, _split(args.checks), _split(args.skip))
        installed_log_rules()  # a broken or duplicate rule plugin stops the run here, in one line
    except RegistryError as exc:
        raise UsageError(str(exc)) from None
    if not checks:
        raise UsageError("no check selected")
    problems = refused(settings.waivers, catalogue)
    if problems:
        raise UsageError(*problems)
    outputs = _outputs(args)
    if args.history:
        _check_history(args.history)  # a URL with a password, or no driver: before gathering
    estate_url = _estate_url(args.estate_url)
    target = _upgrade_target(args)
    inventory, settings = settings, _limit(settings, args.limit)
    needs = frozenset().union(*(c.needs for c in checks))
    _settled()  # the checks and what they import
    facts = _gather(settings, args, needs=needs, recorded=recorded)
    if recorded:
        from clustercheck.collect.snapshot import apply_recorded

        apply_recorded(facts, recorded)
    facts.left_out = tuple(n for n in inventory.nodes if n not in settings.nodes)
    _settled()  # the facts
    derived = Derived(facts)
    results = run_checks(checks, facts, derived)
    upgrade = judge_upgrade(checks, facts, results, target) if target else None
    # one pass over today's findings and the upgrade's, so a waiver is reported once
    everything = results + list(upgrade.results if upgrade else ())
    waived, notices = apply_waivers(everything, settings.waivers, date.today(), catalogue)
    results = waived[: len(results)]
    if upgrade:
        upgrade = upgrade.with_results(waived[len(results) :])
    for notice in notices:
        _say(notice)
    scope = _run_scope(args, snapshot=args.target if recorded else None)
    report = build_report(facts, checks, results, derived, upgrade, scope)
    code = report.exit_code(Status(args.fail_on))
    trend = _history(report, args.history, Status(args.fail_on)) if args.history else Trend()
    kept_in = args.history if trend.problem is None else None  # the history the run is in
    options = RenderOptions(
        fail_on=Status(args.fail_on),
        exit_code=code,
        quiet=args.quiet,
        trend=trend,
        estate_url=estate_url,
        written=_files(outputs, kept_in),
    )
    # each output on its own: one that cannot be written does not keep the others from being
    written = [_write_report(fmt, target, report, options) for fmt, target in outputs]
    lost = not all(written) or options.trend.problem is not None
    if args.nagios:
        from clustercheck.reports import nagios

        printed = _isolated(
            "the Nagios status line", lambda: print(nagios.render(report, options), end="")
        )
        return nagios.plugin_code(report) if printed and not lost else nagios.UNKNOWN
    code = ExitCode.NOT_WRITTEN if lost else code
    # the summary line says the exit code, and the summary only the reports that were written
    kept = [output for output, done in zip(outputs, written, strict=True) if done]
    final = replace(options, exit_code=code, written=_files(kept, kept_in))
    _isolated(
        "the terminal report",
        lambda: _print_terminal(
            report, final, to_stderr=any(is_stdout(target) for _fmt, target in outputs)
        ),
    )
    if report.nothing_judged:
        _say("nothing was judged (every result was skipped)")
    return code


def _run_scope(args: argparse.Namespace, snapshot: str | None) -> RunScope:
    """What this run was asked to judge, as given on the command line; the Report completes it
    from the facts (the nodes judged, those --limit left out, those read from files only)."""
    from clustercheck.report.scope import RunScope

    return RunScope(
        limit=tuple(_split(args.limit)),
        checks=tuple(_split(args.checks)),
        skip=tuple(_split(args.skip)),
        snapshot=snapshot,
    )


def _files(
    outputs: Sequence[tuple[Format, str]], history: str | None
) -> tuple[tuple[str, str], ...]:
    """The reports written to a file (format name, file) and the history the run was added to,
    for the summary to say where they are: absolute, as a mail is read elsewhere than where cron
    ran (standard output is no place to look later)."""
    files = tuple(
        (fmt.name, os.path.abspath(target)) for fmt, target in outputs if not is_stdout(target)
    )
    if history is None:
        return files
    from clustercheck.report.history import shown  # sqlite3: only for a run that keeps one
    from clustercheck.report.history_postgres import is_url

    return (*files, ("history", shown(history if is_url(history) else os.path.abspath(history))))


def _upgrade_target(args: argparse.Namespace) -> Target | None:
    """The upgrade target of --target-*, checked before anything is gathered."""
    from clustercheck.engine.upgrade import target_of
    from clustercheck.knowledge.releases import TargetError

    given = {"tomcat": args.target_tomcat, "httpd": args.target_httpd, "modjk": args.target_modjk}
    try:
        target = target_of(given)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    return target or None


def _write_report(fmt: Format, target: str, report: Report, options: RenderOptions) -> bool:
    from clustercheck.cli.output import write_output

    place = "to standard output" if is_stdout(target) else target
    return _isolated(
        f"the {fmt.name} report {place}", lambda: write_output(target, fmt.render(report, options))
    )


def _isolated(what: str, write: Callable[[], object]) -> bool:
    """Run one output's write; whatever stops it (a full disk, a refused path, a format that
    raises) is one line naming it, and False. Ctrl-C and SIGTERM still end the run."""
    from clustercheck.cli.output import OutputError

    try:
        write()
        return True
    except (OutputError, OSError) as exc:
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    except Exception as exc:  # a bug in that format: its output's error, not the run's
        if os.environ.get("CLUSTERCHECK_DEBUG"):
            raise
        reason = _internal_error(exc)
    _say(f"{what} not written: {reason}")
    return False


# the shorthand options, each one format
SHORTHANDS = ("json", "junit", "html", "prometheus")


def _outputs(args: argparse.Namespace) -> list[tuple[Format, str]]:
    """Every (format, file) asked for, checked before anything is gathered: an unknown format, a
    format that cannot go to standard output, or standard output asked for twice (`-`,
    /dev/stdout, or a report with --nagios's status line) is a usage error, not a lost or
    garbled report after a long run."""
    from clustercheck.report.formats import FormatError, find_format

    try:
        wanted = [(name, getattr(args, name)) for name in SHORTHANDS if getattr(args, name)]
        for spec in args.output:
            name, sep, target = spec.partition("=")
            if not sep or not target:
                raise UsageError(f"--output {spec}: expected FORMAT=FILE")
            wanted.append((name, target))
        outputs = [(find_format(name), target) for name, target in wanted]
    except FormatError as exc:
        raise UsageError(str(exc)) from None
    for fmt, target in outputs:
        if is_stdout(target) and not fmt.to_stdout:
            raise UsageError(f"the {fmt.name} report needs a file name, not {target}")
    to_stdout = [target for _fmt, target in outputs if is_stdout(target)]
    if len(to_stdout) + args.nagios > 1:
        also = " and --nagios's status line" if args.nagios else ""
        raise UsageError(f"only one report can go to standard output: {', '.join(to_stdout)}{also}")
    return outputs


def _check_history(target: str) -> None:
    """What cannot be a store (a URL holding a password, PostgreSQL without its driver) is a
    usage error, said before anything is gathered."""
    from clustercheck.report import history

    try:
        history.store(target)
    except history.HistoryError as exc:
        raise UsageError(str(exc)) from None


def _estate_url(url: str | None) -> str | None:
    """--estate-url: a web address or a relative path, never a script (`javascript:`)."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("", "http", "https") or any(c.isspace() or ord(c) < 32 for c in url):
        raise UsageError(f"--estate-url {url}: expected an http(s):// URL or a relative path")
    return url


def _history(report: Report, path: str, fail_on: Status) -> Trend:
    """Append the run; return what the HTML report shows of the past (changes, clock trend), or
    why the history could not be used: never a reason to lose the reports."""
    from clustercheck.report import history
    from clustercheck.report.formats import Trend

    try:
        run_id = history.record(path, report, fail_on)
    except history.HistoryError as exc:
        problem = f"not recorded: {exc}"
    else:
        try:
            previous = history.previous(path, report.cluster, run_id)
            clocks = history.clock_history(path, report.cluster)
            return Trend(history.changes(previous, report), clocks)
        except history.HistoryError as exc:
            problem = f"recorded, but the past runs cannot be read: {exc}"
    _say(f"history {problem}")
    return Trend(problem=f"History {problem}")


def _print_terminal(report: Report, options: RenderOptions, *, to_stderr: bool) -> None:
    """The terminal report, on stderr when a report took stdout; coloured as the terminal can."""
    from dataclasses import replace

    from rich.console import Console

    from clustercheck.report.formats import COLOR_SYSTEMS
    from clustercheck.reports import terminal

    stream = sys.stderr if to_stderr else sys.stdout
    console = Console(file=stream)  # asks the terminal for its width and colours
    color = COLOR_SYSTEMS.get(console.color_system or "")
    text = terminal.render(report, replace(options, width=console.width, color=color))
    stream.write(text)


def cmd_collect(args: argparse.Namespace) -> int:
    from clustercheck.collect.snapshot import Recorder, SnapshotError, write_snapshot
    from clustercheck.report.escape import terminal

    settings, _ = _load_target(args.inventory)
    settings = _limit(settings, args.limit)
    out = Path(args.output)
    try:
        taken = out.exists() and (not out.is_dir() or any(out.iterdir()))
    except OSError as exc:
        raise UsageError(f"{out}: {exc.strerror}") from None
    if taken:
        raise UsageError(f"{out}: exists and is not an empty directory; choose a new one")
    recorder = Recorder()
    facts = _gather(settings, args, on_read=recorder)
    try:
        write_snapshot(facts, recorder, out)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None
    down = [n.name for n in facts.nodes.values() if not n.reachable]
    note = f"; unreachable: {', '.join(down)}" if down else ""
    print(terminal(f"clustercheck: snapshot of {len(facts.nodes)} node(s) written to {out}{note}"))
    print(terminal(f"judge it with: clustercheck run {out}"))
    return 0


# the discover options that set an `ssh:` key of every host given on the command line
SSH_OPTIONS = {
    "ssh_user": "user",
    "identity_file": "identity_file",
    "known_hosts": "known_hosts",
    "ssh_config": "config",
    "proxy_jump": "proxy_jump",
}


def cmd_discover(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from clustercheck.cli.output import OutputError, write_output
    from clustercheck.collect.discover import DiscoverError, discover_balancers, parse_target
    from clustercheck.inventory.writer import write_inventory

    if not args.output and not args.dry_run:
        raise UsageError("discover: give -o FILE (or --dry-run to print the inventory)")
    if args.output and not args.force and os.path.lexists(args.output):
        raise UsageError(f"{args.output}: exists; --force replaces it")
    if not args.hosts and not args.ansible_inventory:
        raise UsageError("discover: give the apache hosts, or --ansible-inventory PATH")
    if args.limit and not args.ansible_inventory:
        raise UsageError("discover: --limit selects hosts of --ansible-inventory")
    ssh = {
        key: os.path.abspath(value) if key in ("identity_file", "known_hosts", "config") else value
        for option, key in SSH_OPTIONS.items()
        if (value := getattr(args, option))
    }
    try:
        specs = [replace(spec, ssh={**ssh, **spec.ssh}) for spec in map(parse_target, args.hosts)]
        _given_once(args.hosts, specs)
        if args.ansible_inventory:
            specs += _ansible_specs(args.ansible_inventory, args.limit)
        discovery = discover_balancers(
            specs,
            accept_new_host_keys=args.accept_new_host_keys,
            parallel=max(1, args.parallel),
            cluster=args.cluster,
        )
    except DiscoverError as exc:
        raise UsageError(*exc.problems) from None
    if not discovery.nodes:
        whys = [f"{t.host}: {t.reason}" for t in discovery.todos] or ["no host to probe"]
        raise UsageError("discover: nothing found, so no inventory is written", *whys)
    text = write_inventory(discovery)
    try:
        write_output("-" if args.dry_run else args.output, text)
    except (OutputError, OSError) as exc:
        raise UsageError(f"{args.output}: {exc}") from None
    todo = f"; {len(discovery.todos)} TODO(s) in it" if discovery.todos else ""
    if not args.dry_run:
        _say(f"{len(discovery.nodes)} node(s) written to {args.output}{todo}")
    for item in discovery.todos:
        _say(f"TODO {item.what} ({item.host}): {item.reason}")
    return 0


def _given_once(targets: Sequence[str], specs: Sequence[HostSpec]) -> None:
    """A host given twice (`web1 web1:22`) would be probed twice and written as two nodes of one
    httpd, an inventory `run` refuses: said here, before any connection."""
    seen: dict[tuple[str, object], str] = {}
    for text, spec in zip(targets, specs, strict=True):
        key = (spec.host.lower(), spec.ssh.get("port", 22))
        if key in seen:
            raise UsageError(f"discover: {text} is {seen[key]} again (the same host and port)")
        seen[key] = text


def _ansible_specs(path: str, limit: str | None) -> list[HostSpec]:
    """The hosts of an Ansible inventory, read through ansible-inventory (an optional extra:
    the module runs it as a program, so nothing of Ansible is imported)."""
    from clustercheck.collect.ansible import AnsibleError, ansible_hosts

    try:
        return list(ansible_hosts(path, limit))
    except AnsibleError as exc:  # printed by main() through _say, which escapes it
        raise UsageError(f"--ansible-inventory {path}: {exc}") from None


def cmd_history(args: argparse.Namespace) -> int:
    from clustercheck.report import history
    from clustercheck.report.escape import terminal

    _existing_history(args.target)
    if args.html:
        return _estate_page(args)
    if args.limit < 1:  # 0 would say "no runs recorded", -1 list every run
        raise UsageError("--limit: at least 1")
    try:
        runs = history.runs(args.target, limit=args.limit)
    except history.HistoryError as exc:
        raise UsageError(str(exc)) from None
    if not runs:
        print(terminal(f"{history.shown(args.target)}: no runs recorded"))
        return 0
    for run in runs:
        tally = ", ".join(f"{n} {s}" for s, n in run.counts.items() if n)
        print(
            terminal(
                f"{run.id:>5}  {run.started_at}  {run.cluster:<16} {run.worst.value.upper():<5} "
                f"{run.duration_s:6.2f} s  {tally}"
            )
        )
    return 0


def _existing_history(target: str) -> None:
    """`history` reads what `run --history` wrote: a file that is not there is a typo, not a
    history with no runs (that one exists and says so). A PostgreSQL URL is the store's to judge."""
    from clustercheck.report.history_postgres import is_url

    if not is_url(target) and not os.path.lexists(target):
        raise UsageError(f"{target}: no such history file")


def _estate_page(args: argparse.Namespace) -> int:
    """history --html: the estate page of every cluster in the history, and one line saying
    how many need a look (stale ones named)."""
    from datetime import UTC, datetime

    from clustercheck.report import history
    from clustercheck.report.escape import terminal
    from clustercheck.report.estate import estate, parse_duration
    from clustercheck.reports import estate_page

    try:
        stale_after = parse_duration(args.stale_after) if args.stale_after else None
    except ValueError as exc:
        raise UsageError(f"--stale-after: {exc}") from None
    if args.runs < 1:
        raise UsageError("--runs: at least 1")
    try:
        latest = history.latest(args.target, per_cluster=args.runs)
    except history.HistoryError as exc:
        raise UsageError(str(exc)) from None
    now = datetime.now(UTC)
    states = estate(latest, now, stale_after)
    page = estate_page.render(states, history.shown(args.target), now)
    if not _isolated(f"the estate page {args.html}", lambda: _write_page(args.html, page)):
        return 2
    stale = [s.cluster for s in states if s.stale]
    failing = sum(1 for s in states if s.last.exit_code not in (0, None))
    named = f" ({', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''})" if stale else ""
    print(
        terminal(
            f"clustercheck: estate page of {len(states)} cluster(s) written to {args.html}:"
            f" {failing} failing, {len(stale)} stale{named}"
        )
    )
    return 0


def _write_page(target: str, page: str) -> None:
    from clustercheck.cli.output import write_output

    write_output(target, page)


def cmd_checks(args: argparse.Namespace) -> int:
    import json

    from clustercheck.engine.check import describe
    from clustercheck.engine.docs import catalogue_lines, catalogue_markdown
    from clustercheck.engine.registry import RegistryError, load_checks

    try:
        checks = load_checks()
    except RegistryError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps([describe(c) for c in checks], indent=2))
    elif args.markdown:
        print(catalogue_markdown(checks), end="")
    else:
        print("\n".join(catalogue_lines(checks)))
    return 0


def cmd_formats(args: argparse.Namespace) -> int:
    from clustercheck.report.formats import FormatError, load_formats

    try:
        formats = load_formats()
    except FormatError as exc:
        raise UsageError(str(exc)) from None
    for fmt in formats.values():
        print(f"{fmt.name:<12} {fmt.summary}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from clustercheck.engine.docs import explain
    from clustercheck.engine.registry import RegistryError, load_checks

    try:
        text = explain(load_checks(), args.check)
    except RegistryError as exc:
        raise UsageError(str(exc)) from None
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
