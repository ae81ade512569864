"""Where systemd finds a system unit and its drop-ins (systemd.unit(5), "Unit File Load Path"
and "[Unit] Section Options": a unit file is taken from the first folder of the path that has
it; every `NAME.d/*.conf` drop-in of every folder applies after it, in the order of the file
names, a drop-in of an earlier folder hiding one of the same name in a later folder). Only the
folders an administrator or a package writes are listed: the generator and transient folders
hold what systemd makes at boot."""

from __future__ import annotations

UNIT_PATH = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
