"""Parse time and peak memory of clustercheck's parsers over the shared corpus.

    python parse_bench.py CORPUS all        every file, through the parser of its folder
    python parse_bench.py CORPUS largest    the largest file only

Runs in a fresh interpreter (bench/run.py starts it) so that ru_maxrss is this parse's alone.
Prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from clustercheck.parsers.httpd import parse_httpd, parse_uriworkermap
from clustercheck.parsers.serverxml import parse_server_xml
from clustercheck.parsers.text import decode
from clustercheck.parsers.webxml import parse_web_xml
from clustercheck.parsers.workers import parse_workers

PARSERS: dict[str, tuple[str, Callable[[bytes, str], object]]] = {
    "workers": ("parse_workers", lambda data, path: parse_workers(decode(data), path)),
    "jkconf": ("parse_httpd", lambda data, path: parse_httpd(decode(data), path)),
    "serverxml": ("parse_server_xml", lambda data, path: parse_server_xml(data, path, {})),
    "webxml": ("parse_web_xml", lambda data, path: parse_web_xml(data, path)),
    "uriworkermap": (
        "parse_uriworkermap",
        lambda data, path: parse_uriworkermap(decode(data), path),
    ),
}


def corpus_files(root: Path) -> list[tuple[str, Path, bytes]]:
    files = []
    for folder in sorted(PARSERS):
        for path in sorted((root / folder).glob("*")):
            if path.is_file():
                files.append((folder, path, path.read_bytes()))
    return files


def one_pass(files: list[tuple[str, Path, bytes]]) -> None:
    for folder, path, data in files:
        PARSERS[folder][1](data, str(path))


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    root, mode = Path(sys.argv[1]), sys.argv[2]
    files = corpus_files(root)
    if not files:
        print(json.dumps({"error": f"no corpus files under {root}"}))
        return 1
    if mode == "largest":
        files = [max(files, key=lambda f: len(f[2]))]
    rss_before = maxrss_mb()
    one_pass(files)  # warm-up: first-call costs (regex compilation, imports inside parsers)
    passes = 200 if mode == "largest" else 20
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        one_pass(files)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    one_pass(files)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_kind: dict[str, int] = {}
    for folder, _path, _data in files:
        per_kind[PARSERS[folder][0]] = per_kind.get(PARSERS[folder][0], 0) + 1
    print(
        json.dumps(
            {
                "mode": mode,
                "files": len(files),
                "bytes": sum(len(f[2]) for f in files),
                "largest": str(files[0][1].relative_to(root)) if mode == "largest" else None,
                "parsers": per_kind,
                "passes": passes,
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "tracemalloc_peak_mb": peak / 2**20,
                "maxrss_before_mb": rss_before,
                "maxrss_after_mb": maxrss_mb(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
