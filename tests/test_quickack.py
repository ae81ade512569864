"""The SSH socket acknowledges at once after every read (collect/transports/quickack.py)."""

from __future__ import annotations

import socket

from support import need

from clustercheck.collect.transports.quickack import QUICKACK, QuickAckSocket, quick_ack


def test_every_read_switches_quick_acknowledgement_back_on() -> None:
    need(QUICKACK is not None, "TCP_QUICKACK is Linux's")
    assert QUICKACK is not None
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        peer, _ = server.accept()
        with client, peer:
            wrapped = quick_ack(client)
            assert isinstance(wrapped, QuickAckSocket)
            client.setsockopt(socket.IPPROTO_TCP, QUICKACK, 0)
            peer.sendall(b"x")
            assert wrapped.recv(1) == b"x"
            assert client.getsockopt(socket.IPPROTO_TCP, QUICKACK) == 1
            assert wrapped.getpeername() == peer.getsockname()  # the rest passes through


def test_a_read_at_the_end_of_the_stream_is_returned_as_it_is() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        peer, _ = server.accept()
        peer.close()
        with client:
            assert quick_ack(client).recv(16) == b""
