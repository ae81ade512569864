"""The mod_jk release of an apache node: what CC104 weighs its known defects by and what the
version-dependent rules of the CC603 family are keyed on.

The module file's bytes name it (mod_jk's JK_EXPOSED_VERSION, "mod_jk/1.2.48"); when the file
was not read, the name of a downloaded build often does (`mod_jk-1.2.23-apache-2.2.x-...so`).
An upgrade target replaces the file's facts, so its release is read the same way."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.facts.files import ApacheFacts
from clustercheck.knowledge.tomcat import Version, parse_version
from clustercheck.parsers.httpd_module import ModuleFile, name_hints

JK_MODULE = "jk_module"


@dataclass(frozen=True)
class JkRelease:
    """The release of the mod_jk an apache node loads, and where it was read."""

    text: str  # "1.2.48"
    version: Version
    module: ModuleFile  # its LoadModule
    from_name: bool  # read from the file's name, not its bytes


def jk_release(apache: ApacheFacts) -> JkRelease | None:
    """The loaded mod_jk's release; None when no mod_jk is loaded or nothing names its release."""
    module = apache.module_files.get(JK_MODULE)
    if module is None:
        return None
    read = module.binary.jk_version if module.binary else None
    text = read or name_hints(module.path).jk_version
    version = parse_version(text)
    if text is None or version is None:
        return None
    return JkRelease(text, version, module, from_name=read is None)
