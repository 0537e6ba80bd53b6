"""A socket guard for the test run: connections leave this machine's loopback never.

Every test server listens on 127.0.0.1 and every client talks to it there; a test that reaches
for the network (a forgotten real URL, a library phoning home) fails at once with a clear error
instead of hanging on the closed network or depending on it. Processes the tests start (git,
ssh-keygen, the browser, PostgreSQL's C client) are outside this guard.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


class NetworkAccessError(OSError):
    """A test tried to connect somewhere other than this machine."""


def _local(address: Any, family: int) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # AF_UNIX and friends never leave the machine
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name to resolve: not loopback by construction


def guard_sockets() -> None:
    """Refuse every socket connection that does not stay on the loopback interface."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if not _local(address, self.family):
            raise NetworkAccessError(f"tests must not reach the network (connect to {address!r})")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _local(address, self.family):
            raise NetworkAccessError(f"tests must not reach the network (connect to {address!r})")
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
