"""The JVM's facts from its JDK's release file: no JVM started on the node where one tells.

Processes started here stand in for Tomcat (a copy of sh whose command line looks like
Bootstrap's, as in test_live.py); the release files are the real ones of
tests/fixtures/jdk-release/."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support import need
from test_live import Recording, gather_jvm_of
from test_node_numbers import OwnersNode

from clustercheck.collect import jvm
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import Running
from clustercheck.collect.snapshot import load_snapshot
from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    CommandResult,
    FileReadError,
)
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.facts.jvm import JvmFacts
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.inventory.settings import NodeSettings, TomcatSettings
from clustercheck.parsers.jdk_release import parse_release

FIXTURES = Path(__file__).parent / "fixtures"
RELEASES = FIXTURES / "jdk-release"
DEBIAN_17 = "/usr/lib/jvm/java-17-openjdk-amd64"


@contextmanager
def tomcat_running(binary: Path, base: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process whose binary is `binary` (a copy of sh) and whose command line is Tomcat's."""
    base.joinpath("conf").mkdir(parents=True, exist_ok=True)
    shutil.copy("/bin/sh", binary)
    binary.chmod(0o777)
    bootstrap = "org.apache.catalina.startup.Bootstrap"
    args = ["-c", "sleep 60; :", "java", f"-Dcatalina.base={base}", bootstrap, "start"]
    proc = subprocess.Popen([str(binary), *args])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def jdk(home: Path, release: str | None, java: str = "bin/java") -> Path:
    """A JDK folder with the named fixture as its release file; its java binary's path."""
    (home / java).parent.mkdir(parents=True)
    if release is not None:
        shutil.copy(RELEASES / release, home / "release")
    return home / java


def test_the_release_file_tells_and_no_jvm_is_started(tmp_path: Path) -> None:
    binary = jdk(tmp_path / "jdk", "debian-17.release")
    with tomcat_running(binary, tmp_path / "tomcat"):
        facts = gather_jvm_of(tmp_path / "tomcat", transport := Recording())
    assert transport.programs == ["sh", "sh"]  # the process table, then /proc/PID/exe
    assert (facts.version, facts.vendor, facts.bits, facts.build, facts.java_home) == (
        "17.0.15",
        "Debian",
        64,
        "17.0.15+6-Debian-1deb12u1",
        str(tmp_path / "jdk"),
    )
    assert facts.java == str(binary) and facts.source.startswith("running Tomcat process")
    assert facts.read_from == f"release file {tmp_path}/jdk/release"
    assert facts.raw == (RELEASES / "debian-17.release").read_text()
    assert not facts.binary_deleted and facts.error is None


def test_java_8s_jre_inside_its_jdk_has_the_release_file_above(tmp_path: Path) -> None:
    binary = jdk(tmp_path / "jdk1.8.0_211", "oracle-8u211-windows.release", "jre/bin/java")
    with tomcat_running(binary, tmp_path / "tomcat"):
        facts = gather_jvm_of(tmp_path / "tomcat", Recording())
    assert (facts.version, facts.vendor, facts.java_home) == (
        "1.8.0_211",
        "Oracle",
        str(tmp_path / "jdk1.8.0_211" / "jre"),  # java.home, as the launcher would say
    )
    assert facts.read_from == f"release file {tmp_path}/jdk1.8.0_211/release"


def test_a_binary_deleted_by_a_jdk_update_is_judged_from_its_folder(tmp_path: Path) -> None:
    binary = jdk(tmp_path / "jdk", "temurin-25.release")
    with tomcat_running(binary, tmp_path / "tomcat"):
        binary.unlink()  # /proc/PID/exe now ends in " (deleted)"
        facts = gather_jvm_of(tmp_path / "tomcat", transport := Recording())
        (tmp_path / "jdk" / "release").unlink()  # and the package took its folder too
        gone = gather_jvm_of(tmp_path / "tomcat", transport)
    assert transport.programs.count("sh") == len(transport.programs)  # no JVM, no binary run
    assert (facts.java, facts.version, facts.binary_deleted) == (str(binary), "25.0.3", True)
    assert facts.read_from == f"release file {tmp_path}/jdk/release"
    assert (gone.java, gone.error, gone.binary_deleted) == (str(binary), jvm.DELETED_ERROR, True)
    assert gone.read_from == f"{tmp_path}/jdk/release: no such file"


def test_a_release_file_that_tells_no_update_leaves_it_to_a_binary_safe_to_run(
    tmp_path: Path,
) -> None:
    binary = jdk(tmp_path / "jdk", "oracle-7-i586.release")
    with tomcat_running(binary, tmp_path / "tomcat"):
        facts = gather_jvm_of(tmp_path / "tomcat", transport := Recording())
    assert str(binary) not in transport.programs  # mode 777: not run
    assert facts.error == (
        f"not run: {binary} can be written by group or others (mode 777);"
        " set tomcat.java in the inventory to the JVM to run"
    )
    assert facts.read_from == (
        f'the release file {tmp_path}/jdk/release: its JAVA_VERSION="1.7.0" leaves out the'
        " update (as Java 7's files do)"
    )


def test_setenv_java_home_of_this_machines_jdk_is_read_not_run(tmp_path: Path) -> None:
    need(Path(DEBIAN_17, "release").exists(), f"Debian's OpenJDK 17 in {DEBIAN_17}")
    base = tmp_path / "tomcat"
    (base / "bin").mkdir(parents=True)
    (base / "bin" / "setenv.sh").write_text(f"JAVA_HOME={DEBIAN_17}\n")
    facts = gather_jvm_of(base, transport := Recording())
    expected = parse_release(Path(DEBIAN_17, "release").read_text(), DEBIAN_17)
    assert not isinstance(expected, str)
    assert transport.programs == ["sh"]  # the process table only: no Tomcat, nothing run
    assert (facts.version, facts.vendor, facts.bits) == (
        expected.version,
        expected.vendor,
        expected.bits,
    )
    assert facts.read_from == f"release file {DEBIAN_17}/release"


def test_without_a_release_file_the_facts_say_what_was_run_and_why(tmp_path: Path) -> None:
    java = shutil.which("java")
    need(java is not None, "a JDK (java on PATH)")
    assert java is not None
    facts = gather_jvm_of(tmp_path / "tomcat", transport := Recording(), java=java)
    home = os.path.dirname(os.path.dirname(java))
    assert java in transport.programs and facts.version
    assert facts.read_from == (
        "java -XshowSettings:properties -version (the inventory's tomcat.java names it;"
        f" no release file told: {home}/release: no such file)"
    )


@pytest.mark.parametrize(
    ("printed", "owner", "refusal"),
    [
        (b"0\n0\n0 755\n0 755\n", "root", None),
        (b"1000\n-\n1000 755\n0 755\n", "uid 1000, who runs clustercheck", None),
        # a JDK that Tomcat's user unpacked: accepted, as that user owns catalina.base
        (b"1000\n997\n997 755\n0 755\n", "uid 997, Tomcat's user tomcat", None),
        # the process's user owns no catalina.base: a look-alike's binary is not run
        (
            b"1000\n-\n997 755\n0 755\n", "",
            "/j belongs to uid 997 (not root, not uid 1000 running this)",
        ),
        (
            b"1000\n996\n997 755\n0 755\n", "",
            "/j belongs to uid 997 (not root, not uid 1000 running this, not uid 996 (Tomcat's))",
        ),
    ],
)  # fmt: skip
def test_a_binary_of_tomcats_user_is_safe_to_run(
    printed: bytes, owner: str, refusal: str | None
) -> None:
    vetted = jvm.untrusted_reason(OwnersNode(b"/j\0" + printed), "/j", "tomcat", "/srv/t")
    assert vetted == jvm.Vetted("/j", owner, refusal)


def test_tomcats_user_counts_only_as_the_owner_of_catalina_base(tmp_path: Path) -> None:
    """The owner script on this machine: a binary `nobody` owns passes its own check when
    `nobody` owns catalina.base (then /tmp's mode stops it here), not otherwise."""
    need(os.geteuid() == 0, "root, to give files to another user")
    nobody = pwd.getpwnam("nobody").pw_uid
    base, folder = tmp_path / "tomcat", tmp_path / "bin"
    base.mkdir()
    folder.mkdir()
    binary = folder / "java"
    shutil.copy("/bin/true", binary)
    os.chown(binary, nobody, nobody)
    for path in (folder, tmp_path):
        path.chmod(0o755)
    foreign = jvm.untrusted_reason(LocalTransport(), str(binary), "nobody", str(base))
    assert foreign.refusal == f"{binary} belongs to uid {nobody} (not root, not uid 0 running this)"
    os.chown(base, nobody, nobody)
    owned = jvm.untrusted_reason(LocalTransport(), str(binary), "nobody", str(base))
    assert owned.refusal is not None and not owned.refusal.startswith(str(binary))


class WindowsNode(LocalTransport):
    """A Windows node's files, by path as the NodeReader asks for them; nothing may be run."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        if path not in self.files:
            raise FileReadError(path, "missing", f"{path}: no such file")
        return self.files[path]

    def run(self, argv: object, **_: object) -> CommandResult:
        raise AssertionError(f"ran {argv}")


def test_a_windows_nodes_release_file_is_read_under_tomcat_javas_home() -> None:
    node = NodeSettings(
        "tomcat03",
        "10.0.0.13",
        ("tomcat",),
        os="windows",
        tomcat=TomcatSettings(catalina_base="C:/tomcat", java="C:\\jdk-20\\bin\\java.exe"),
    )
    release = (RELEASES / "liberica-20-windows.release").read_bytes()
    transport = WindowsNode({"C:/jdk-20/release": release})
    unread = Running(RuntimeFacts(0.0, processes_error="not asked"))
    facts = jvm.gather_jvm(transport, NodeReader(transport, windows=True), node, unread)
    assert (facts.version, facts.vendor, facts.read_from) == (
        "20.0.2",
        "BellSoft Liberica",
        "release file C:/jdk-20/release",
    )


def test_snapshots_written_before_the_release_file_still_load() -> None:
    _settings, snapshot = load_snapshot(FIXTURES / "snapshot-v1")
    facts = snapshot.nodes["tomcat01"].live.jvm
    assert facts is not None and facts.version
    assert (facts.read_from, facts.binary_deleted) == (None, False)
    now = JvmFacts("/j", "x", "17.0.15", read_from="release file /release", binary_deleted=True)
    assert JvmFacts.from_json(now.to_json()) == now
