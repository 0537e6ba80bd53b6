"""A short-lived cache of authenticated callers, keyed by the token's SHA-256.

Every request authenticates; most come from a few tokens (CI, the hook, a console session), so
the token's row is read at most once per `ttl` seconds per process. What may change meanwhile
is handled so: the token's expiry is re-checked on every use; a revocation, a suspension, a
change of a person or a token on *this* process clears the cache at once (`clear`); another
replica sharing the database sees it when its entry expires, so a revoked token may still be
accepted by another replica for at most `ttl` seconds (default 2; `SIGNOFF_AUTH_CACHE_SECONDS`,
0 turns the cache off). docs/server.md, "Principal cache", states the same bound.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from signoff.server.auth import Principal

#: Entries kept at most (least recently stored are dropped first).
MAX_ENTRIES = 4096


class PrincipalCache:
    def __init__(self, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, dt.datetime, Principal]] = {}
        self._generation = 0  # bumped by `clear`: a read that began before it is not stored

    def generation(self) -> int:
        """Take before reading the token's row; give to `put` with what was read."""
        return self._generation

    def get(self, key: str, now: dt.datetime) -> Principal | None:
        """The cached caller for `key`, unless the entry or the token has expired."""
        if self.ttl <= 0:
            return None
        hit = self._entries.get(key)
        if hit is None:
            return None
        stored, expires, who = hit
        if self._clock() - stored >= self.ttl or expires <= now:
            with self._lock:
                self._entries.pop(key, None)
            return None
        return who

    def put(self, key: str, who: Principal, expires: dt.datetime, generation: int) -> None:
        """Keep `who` unless a `clear` happened since `generation` was taken (the row read
        may predate a revocation)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (self._clock(), expires, who)

    def clear(self) -> None:
        """Forget everything: called by every write that can end or change a caller's rights."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
