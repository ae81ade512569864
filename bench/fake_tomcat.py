"""The network side of the simulated Tomcats, in one process: on every node address, an AJP
connector that answers CPing with CPong (what mod_jk's and clustercheck's probes send), a
Tribes replication receiver that accepts connections, and, for the members named in
MEMBERS_FILE (re-read whenever it changes), Tribes multicast heartbeats (Tomcat 7+ layout) to
GROUP:PORT every FREQUENCY ms from the member's own address, as McastService sends them.

    python fake_tomcat.py AJP_PORT RECEIVER_PORT GROUP:PORT FREQUENCY_MS MEMBERS_FILE ADDRESS...

Prints "ready" once every socket listens; runs until terminated. bench/run.py starts one per
16 addresses (like sshd), so that a burst of probes (every member connecting to every other
member's receiver at once) is served by several processes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import struct
import sys
import time

CPING = b"\x12\x34\x00\x01\x0a"
CPONG = b"AB\x00\x01\x09"


class Ajp(asyncio.Protocol):
    """CPing -> CPong, as long as the peer keeps pinging; anything else closes."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= len(CPING):
            packet, self.buffer = self.buffer[: len(CPING)], self.buffer[len(CPING) :]
            if packet != CPING:  # a real request: the simulation only speaks CPing
                self.transport.close()
                return
            self.transport.write(CPONG)  # type: ignore[attr-defined]


class Receiver(asyncio.Protocol):
    """A replication receiver: accepts and ignores."""

    def data_received(self, data: bytes) -> None:
        pass


def heartbeat(address: str, receiver_port: int, started: float, unique: bytes) -> bytes:
    """One McastService heartbeat (MemberImpl.getData, Tomcat 7+)."""
    body = struct.pack(">qiii", int((time.time() - started) * 1000), receiver_port, 0, -1)
    body += struct.pack(">b", 4) + socket.inet_aton(address)
    body += struct.pack(">i", 0) + struct.pack(">i", 0) + unique + struct.pack(">i", 0)
    version = b"\x01\x00"
    return b"TRIBES-B" + version + struct.pack(">i", len(body)) + body + b"TRIBES-E" + version


async def heartbeats(
    group: tuple[str, int], frequency: float, members_file: str, port: int, mine: set[str]
) -> None:
    sockets: dict[str, socket.socket] = {}
    started = time.time()
    stamp, members = 0.0, []
    while True:
        try:
            mtime = os.stat(members_file).st_mtime
            if mtime != stamp:
                stamp = mtime
                with open(members_file) as handle:
                    members = [a for a in handle.read().split() if a in mine]
        except OSError:
            members = []
        for address in members:
            sock = sockets.get(address)
            if sock is None:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.bind((address, 0))
                sock.setsockopt(
                    socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address)
                )
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
                sockets[address] = sock
            unique = address.encode().ljust(16, b"\0")[:16]
            try:
                sock.sendto(heartbeat(address, port, started, unique), group)
            except OSError:
                pass
        await asyncio.sleep(frequency)


async def main() -> None:
    ajp_port, receiver_port = int(sys.argv[1]), int(sys.argv[2])
    host, _, mport = sys.argv[3].partition(":")
    frequency, members_file = int(sys.argv[4]) / 1000, sys.argv[5]
    servers = []
    loop = asyncio.get_running_loop()
    for address in sys.argv[6:]:
        servers.append(await loop.create_server(Ajp, address, ajp_port, backlog=4096))
        servers.append(await loop.create_server(Receiver, address, receiver_port, backlog=4096))
    mine = set(sys.argv[6:])
    beating = asyncio.create_task(
        heartbeats((host, int(mport)), frequency, members_file, receiver_port, mine)
    )
    print("ready", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    beating.cancel()
    for server in servers:
        server.close()


if __name__ == "__main__":
    try:  # real Tomcats have CPUs of their own; here they must not starve behind the probes
        os.nice(-5)
    except OSError:
        pass
    asyncio.run(main())
