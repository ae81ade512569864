"""Reads in batches: what the reader fetched ahead it gives and records as a direct read would,
and gathering a node asks for its files in a few waves, not one exchange per file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from support import REPO

from clustercheck.collect.gather import gather
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES, DirEntry, FileReadError
from clustercheck.collect.transports.localfs import FilesTransport
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.settings import NodeSettings

SEED = REPO / "examples" / "seed-cluster" / "inventory.yaml"


class Watched(FilesTransport):
    """A files node that notes each read and listing, and whether a batch asked for it."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.alone: list[str] = []  # asked for on their own
        self.batched: list[str] = []
        self._in_batch = False

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        (self.batched if self._in_batch else self.alone).append(path)
        return super().read_file(path, max_bytes)

    def list_dir(self, path: str) -> list[DirEntry]:
        (self.batched if self._in_batch else self.alone).append(path + "/")
        return super().list_dir(path)

    def read_files(
        self, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES
    ) -> dict[str, bytes | FileReadError]:
        self._in_batch = True
        try:
            return super().read_files(paths, max_bytes)
        finally:
            self._in_batch = False

    def list_dirs(self, paths: Sequence[str]) -> dict[str, list[DirEntry] | FileReadError]:
        self._in_batch = True
        try:
            return super().list_dirs(paths)
        finally:
            self._in_batch = False


@pytest.fixture
def node(tmp_path: Path) -> Path:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_bytes(b"127.0.0.1 localhost\n")
    (tmp_path / "etc/big").write_bytes(b"x" * 2000)
    (tmp_path / "etc/dir").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("path", "fetch_cap", "read_cap"),
    [
        ("/etc/hosts", DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES),
        ("/etc/absent", DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES),
        ("/etc/dir", DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES),
        ("/etc/big", DEFAULT_MAX_BYTES, 1000),  # fetched whole, over the read's own cap
        ("/etc/big", 1000, 1000),  # too large when fetched, with the same cap
        ("/etc/big", 1000, DEFAULT_MAX_BYTES),  # too large for the fetch only: read again
    ],
)
def test_a_read_fetched_ahead_is_a_direct_read(
    node: Path, path: str, fetch_cap: int, read_cap: int
) -> None:
    direct = NodeReader(FilesTransport(str(node)))
    expected = direct.read(path, read_cap)
    transport = FilesTransport(str(node))
    ahead = NodeReader(transport)
    ahead.prefetch([path, "/etc/hosts"], fetch_cap)
    assert transport.exchanges == 1 and ahead.reads == {}  # nothing recorded before a read
    assert ahead.read(path, read_cap) == expected
    assert ahead.reads == direct.reads
    reread = fetch_cap < read_cap and expected is not None
    assert transport.exchanges == 1 + reread


def test_a_listing_fetched_ahead_is_a_direct_listing(node: Path) -> None:
    transport = FilesTransport(str(node))
    reader = NodeReader(transport)
    reader.prefetch_dirs(["/etc", "/etc/absent", "/etc/hosts"])
    assert transport.exchanges == 1
    direct = NodeReader(FilesTransport(str(node)))
    for path in ("/etc", "/etc/absent", "/etc/hosts"):
        assert reader.list_dir(path) == direct.list_dir(path)
    assert reader.reads == direct.reads and transport.exchanges == 1
    assert reader.list_dir("/etc") == direct.list_dir("/etc")  # once: a later one lists again
    assert transport.exchanges == 2


def watched_gather(inventory: Path) -> dict[str, Watched]:
    made: dict[str, Watched] = {}

    def factory(node: NodeSettings) -> Watched:
        made[node.name] = Watched(node.root or "")
        return made[node.name]

    facts = gather(load_inventory(str(inventory)), factory=factory, multicast=False)
    for name, node in facts.nodes.items():
        assert node.live.exchanges == made[name].exchanges
    return made


def test_a_tomcat_node_s_files_come_in_waves() -> None:
    """The seed example's tomcat01: every file and listing in a batch (the first files, the
    Host's listings, what they name); only catalina.jar's member is opened on its own."""
    tomcat01 = watched_gather(SEED)["tomcat01"]
    base = "/root/tomcat"
    assert tomcat01.alone == []
    assert f"{base}/webapps/shop/WEB-INF/web.xml" in tomcat01.batched
    assert {f"{base}/webapps/", f"{base}/conf/Catalina/localhost/"} <= set(tomcat01.batched)
    assert tomcat01.exchanges == 4  # three waves and the jar; one per file and listing before


def test_an_httpd_node_reads_what_its_configuration_names_in_one_wave() -> None:
    web1 = watched_gather(SEED)["web1"]
    assert web1.alone == []  # mod_jk.conf first, then the workers file
    assert "/etc/httpd/conf/workers.properties" in web1.batched
    assert web1.exchanges == 2
