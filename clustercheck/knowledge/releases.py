"""The release lines clustercheck knows, their newest known release and what each needs: what an
upgrade target (`--target-tomcat 11.0`) means, and the Java a Tomcat line needs.

Sources:
- Tomcat 11.0 and 10.1: endoflife.date (products/tomcat, generated 2026-11-23): 11.0.29 of
  2026-11-09, 10.1.62 of 2026-11-10 (notes/field.md §4).
- Tomcat 9.0, 8.5, 7.0: the newest tags of apache/tomcat in a mirror of 2026-08-21 (9.0.121;
  8.5.100 and 7.0.109, the last releases of lines that reached their end of life).
- The Java each line needs: tomcat.apache.org/whichversion.html ("Minimum Java version": 7.0
  Java 6, 8.5 Java 7, 9.0 Java 8, 10.1 Java 11, 11.0 Java 17; 11.0.0-M3 raised it to 17).
- httpd: 2.2.34 (2017-07-11) was the 2.2 line's last release; 2.4.71 is what Debian 12 ships
  (apache2 2.4.71-1~deb12u1, built 2026-11-12: `apt-cache policy apache2`, `apache2 -v`), past
  2.4.67, which fixed CVE-2026-28780 and CVE-2026-34032 (apache/httpd-site security JSON).
- mod_jk: 1.2.50 (2024-08-08, apache/tomcat-connectors xdocs/news/20240101.xml).
"""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.knowledge.tomcat import Version, parse_version


@dataclass(frozen=True)
class Line:
    """One release line (Tomcat 10.1, httpd 2.4, mod_jk 1.2)."""

    line: tuple[int, int]
    latest: Version
    min_java: int | None = None  # Tomcat only: the oldest Java major it runs on

    @property
    def name(self) -> str:
        return f"{self.line[0]}.{self.line[1]}"


TOMCAT_LINES = (
    Line((7, 0), (7, 0, 109), min_java=6),
    Line((8, 5), (8, 5, 100), min_java=7),
    Line((9, 0), (9, 0, 121), min_java=8),
    Line((10, 1), (10, 1, 62), min_java=11),
    Line((11, 0), (11, 0, 29), min_java=17),
)
HTTPD_LINES = (Line((2, 2), (2, 2, 34)), Line((2, 4), (2, 4, 71)))
MODJK_LINES = (Line((1, 2), (1, 2, 50)),)

# Lines not offered as targets but known for the Java they need: 8.0 and 10.0 (end of life).
_OTHER_TOMCAT_JAVA = {(8, 0): 7, (10, 0): 8}


class TargetError(ValueError):
    """A target version clustercheck cannot judge; the message says which it can."""


@dataclass(frozen=True)
class Product:
    """What can be upgraded, with the lines clustercheck has the knowledge of."""

    name: str  # as messages say it: "Tomcat"
    option: str  # "--target-tomcat"
    lines: tuple[Line, ...]

    def target(self, text: str) -> str:
        """The release a target names: a full version as given, a line (or a major) as its
        newest known release. Raises TargetError for a line clustercheck has no knowledge of."""
        parsed = parse_version(text)
        parts = text.strip().split("-", 1)[0].split(".")
        if parsed is None or not all(p.isdigit() for p in parts) or len(parts) > 3:
            raise TargetError(f"{self.option} {text!r}: expected a version such as {self.example}")
        known = _line_of(self.lines, parsed, only_major=len(parts) == 1)
        if known is None:
            raise TargetError(
                f"{self.option} {text}: clustercheck knows {self.name} "
                f"{', '.join(known.name for known in self.lines)}"
            )
        if len(parts) < 3:
            return ".".join(map(str, known.latest))
        return text.strip()

    @property
    def example(self) -> str:
        newest = self.lines[-1]
        return f"{newest.name} or {'.'.join(map(str, newest.latest))}"


TOMCAT = Product("Tomcat", "--target-tomcat", TOMCAT_LINES)
HTTPD = Product("httpd", "--target-httpd", HTTPD_LINES)
MODJK = Product("mod_jk", "--target-modjk", MODJK_LINES)


def _line_of(lines: tuple[Line, ...], version: Version, only_major: bool) -> Line | None:
    """The line of a version; of a bare major ("10"), its newest line (10.1)."""
    if only_major:
        return max((known for known in lines if known.line[0] == version[0]), default=None,
                   key=lambda known: known.line)  # fmt: skip
    return next((known for known in lines if known.line == version[:2]), None)


def min_java(tomcat_version: str | None) -> int | None:
    """The oldest Java major the Tomcat release runs on; None when its line is not known."""
    parsed = parse_version(tomcat_version)
    if parsed is None:
        return None
    known = _line_of(TOMCAT_LINES, parsed, only_major="." not in (tomcat_version or ""))
    return known.min_java if known else _OTHER_TOMCAT_JAVA.get(parsed[:2])
