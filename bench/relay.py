"""A WAN in userspace: one asyncio process relaying TCP to every simulated node, holding each
chunk for half the round-trip time in each direction, and counting round trips per node.

The kernels the benchmark runs on have no netem qdisc, so the delay is made here. For every
node address A the relay listens on A:LISTEN and forwards to A:TARGET (the node's sshd), so the
node still sees its own address (sshd's SSH_CONNECTION). Per connection:

* the node side is opened RTT/2 after the client connected (the SYN's way there), so the
  server's first bytes reach the client one RTT after its connect, as over a real network;
* every chunk read from either side is written to the other RTT/2 after it arrived, in order
  (one queue per direction, TCP_NODELAY on both sockets);
* a round trip is a direction turn seen at the relay: client bytes followed by server bytes
  (the connect counts as the client's first bytes). Messages that cross (both SSH banners,
  both KEXINITs) can move the count by one between runs.

    python relay.py RTT_MS CONTROL_SOCKET LISTEN_PORT TARGET_PORT ADDRESS...

Prints "ready" once listening. The control socket answers one line per connection: `stats`
(JSON: per address, connections and round trips since the last reset; and how late the relay
wrote its chunks, mean and max ms: its timers run late on a loaded machine) or `reset`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections import defaultdict
from collections.abc import Callable

CHUNK = 65536
QUEUED = 256  # chunks per direction in flight: back-pressure beyond ~16 MB


class Counts:
    """Connections and round trips per node address since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.by_node: dict[str, dict[str, int]] = defaultdict(
            lambda: {"connections": 0, "round_trips": 0}
        )
        self.late_sum, self.late_max, self.chunks = 0.0, 0.0, 0

    def late(self, seconds: float) -> None:
        self.late_sum += seconds
        self.late_max = max(self.late_max, seconds)
        self.chunks += 1

    def as_dict(self) -> dict:
        mean = self.late_sum / self.chunks if self.chunks else 0.0
        late = {"mean_ms": mean * 1000, "max_ms": self.late_max * 1000, "chunks": self.chunks}
        return {"nodes": self.by_node, "late": late}


class Turns:
    """One connection's direction turns (round trips), added to its node's count."""

    def __init__(self, counts: Counts, node: str) -> None:
        self.counts, self.node = counts, node
        self.last = "client"  # the connect: the client spoke first
        counts.by_node[node]["connections"] += 1

    def saw(self, side: str) -> None:
        if side == "server" and self.last == "client":
            self.counts.by_node[self.node]["round_trips"] += 1
        self.last = side


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.Future[asyncio.StreamWriter],
    delay: float,
    on_data: Callable[[], None],
    late: Callable[[float], None],
) -> None:
    """Copy reader to the writer (once it is open), each chunk `delay` seconds after it
    arrived, EOF included."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUED)

    async def read() -> None:
        try:
            while data := await reader.read(CHUNK):
                on_data()
                await queue.put((loop.time() + delay, data))
        except OSError:
            pass
        await queue.put((loop.time() + delay, b""))

    async def write() -> None:
        out = await writer
        while True:
            due, data = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
                late(loop.time() - due)
            if not data:
                if out.can_write_eof() and not out.is_closing():
                    out.write_eof()
                return
            out.write(data)
            await out.drain()

    await asyncio.gather(read(), write(), return_exceptions=True)


async def _relay(
    counts: Counts,
    delay: float,
    target: tuple[str, int],
    c_reader: asyncio.StreamReader,
    c_writer: asyncio.StreamWriter,
) -> None:
    _nodelay(c_writer)
    turns = Turns(counts, target[0])
    upstream: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()
    # the client's bytes queue up while the node side is being opened (RTT/2 later)
    to_server = asyncio.ensure_future(
        _pump(c_reader, upstream, delay, lambda: turns.saw("client"), counts.late)
    )
    try:
        await asyncio.sleep(delay)
        s_reader, s_writer = await asyncio.open_connection(*target)
    except OSError:
        to_server.cancel()
        c_writer.close()
        return
    _nodelay(s_writer)
    upstream.set_result(s_writer)
    client: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()
    client.set_result(c_writer)
    await asyncio.gather(
        to_server,
        _pump(s_reader, client, delay, lambda: turns.saw("server"), counts.late),
        return_exceptions=True,
    )
    for w in (c_writer, s_writer):
        w.close()


async def _control(
    counts: Counts, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    command = (await reader.readline()).decode().strip()
    if command == "reset":
        counts.reset()
        writer.write(b"ok\n")
    elif command == "stats":
        writer.write(json.dumps(counts.as_dict()).encode() + b"\n")
    else:
        writer.write(b"unknown command\n")
    await writer.drain()
    writer.close()


async def main(argv: list[str]) -> None:
    rtt_ms, control, listen, target, *addresses = argv
    delay = float(rtt_ms) / 2000  # each way
    counts = Counts()
    servers = [await asyncio.start_unix_server(lambda r, w: _control(counts, r, w), control)]
    for addr in addresses:

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter, a: str = addr) -> None:
            await _relay(counts, delay, (a, int(target)), r, w)

        servers.append(await asyncio.start_server(handle, addr, int(listen), backlog=1024))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1:]))
    except KeyboardInterrupt:
        pass
