"""Small network probes of the lab, from the root namespace or inside a node's namespace.

Standard library only, so that `ip netns exec NS python labprobe.py ...` works with any Python 3.
A probe answers what a person would check by hand: does AJP answer CPing, which route served a
request, whose Tribes heartbeats does a real socket on this node receive.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import struct
import sys
import time
from dataclasses import dataclass

CPING = bytes.fromhex("1234 0001 0a")
CPONG = bytes.fromhex("4142 0001 09")
TRIBES_BEGIN = b"TRIBES-B\x01\x00"
HOST_LENGTH_AT = 34  # Tribes 7+ heartbeat: one length byte, then the advertised host's bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    session: str | None  # the JSESSIONID the server set, if any

    @property
    def route(self) -> str | None:
        """The jvmRoute suffix of the session id set by this response (`tomcat02`)."""
        return self.session.rpartition(".")[2] if self.session and "." in self.session else None

    def field(self, name: str) -> str:
        """A `name=value` field of the lab webapp's one-line answer."""
        return dict(item.split("=", 1) for item in self.body.split())[name]


def http_get(
    host: str,
    port: int,
    path: str = "/",
    session: str | None = None,
    timeout: float = 5.0,
    headers: dict[str, str] | None = None,
) -> Response:
    """One GET, straight to the address (never through a proxy), with an optional session and
    extra headers."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    sent = dict(headers or {})
    if session:
        sent["Cookie"] = f"JSESSIONID={session}"
    try:
        conn.request("GET", path, headers=sent)
        answer = conn.getresponse()
        body = answer.read().decode("utf-8", "replace").strip()
        cookies = answer.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()
    new = [c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("JSESSIONID=")]
    return Response(answer.status, body, new[0] if new else None)


def cping(host: str, port: int, timeout: float = 2.0) -> str:
    """AJP13 CPing: `cpong`, `timeout` (connected, no answer), `refused`, or what came back."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(CPING)
            reply = sock.recv(len(CPONG))
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    return "cpong" if reply == CPONG else f"other:{reply.hex()}"


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def jk_status(host: str) -> dict[str, str]:
    """mod_jk's status worker in its properties format: `worker.tomcat01.state` -> `OK`."""
    answer = http_get(host, 80, "/jkstatus?mime=prop")
    return dict(line.split("=", 1) for line in answer.body.splitlines() if "=" in line)


def heartbeats(group: str, port: int, local_ip: str, seconds: float) -> dict[str, list[str]]:
    """Join the Tribes group on this node and return, per sender IP, the hosts it advertised.

    A joined socket is the proof that this node *receives* heartbeats: tcpdump taps the NIC
    before the host firewall and would see datagrams that no socket ever gets.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # Tomcat holds the port too
    sock.bind((group, port))
    membership = socket.inet_aton(group) + socket.inet_aton(local_ip)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    heard: dict[str, set[str]] = {}
    deadline = time.monotonic() + seconds
    with sock:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, (sender, _) = sock.recvfrom(65535)
            except TimeoutError:
                break
            heard.setdefault(sender, set()).add(_advertised_host(data))
    return {sender: sorted(hosts) for sender, hosts in heard.items()}


def _advertised_host(data: bytes) -> str:
    if not data.startswith(TRIBES_BEGIN) or len(data) <= HOST_LENGTH_AT:
        return "?"
    (length,) = struct.unpack_from("B", data, HOST_LENGTH_AT)
    raw = data[HOST_LENGTH_AT + 1 : HOST_LENGTH_AT + 1 + length]
    return str(ipaddress.ip_address(raw)) if length in (4, 16) else raw.hex()


def main(argv: list[str]) -> int:
    """`labprobe.py heartbeats GROUP PORT LOCAL_IP SECONDS`: the JSON of `heartbeats()`."""
    if len(argv) != 5 or argv[0] != "heartbeats":
        print(main.__doc__, file=sys.stderr)
        return 2
    print(json.dumps(heartbeats(argv[1], int(argv[2]), argv[3], float(argv[4]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
