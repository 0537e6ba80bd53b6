"""The test run's socket guard (tests/support/netguard.py) refuses the network, allows loopback."""

from __future__ import annotations

import socket

import pytest
from netguard import NetworkAccessError


def test_a_connection_off_this_machine_is_refused() -> None:
    with socket.socket() as s, pytest.raises(NetworkAccessError):
        s.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    with socket.socket(socket.AF_INET6) as s, pytest.raises(NetworkAccessError):
        s.connect_ex(("2001:db8::1", 443, 0, 0))


def test_loopback_connects() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            peer, _ = server.accept()
            with peer:
                client.sendall(b"ok")
                assert peer.recv(2) == b"ok"
