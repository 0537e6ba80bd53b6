"""Refused token exchanges are recorded, but an unauthenticated caller cannot grow the ledger
without bound by repeating them.

The first refusal of a kind (task, stage, code) is recorded as `token.refused` at once; further
ones within `window` seconds are counted, not recorded, and the next one recorded after the
window carries the count (`payload.repeated`: refusals of that kind not recorded since the last
event). So the ledger gets at most one `token.refused` per kind per window per process, however
fast the refusals come; the throttle (`signoff.server.throttle`) slows the caller on top.
Counts still pending when the process stops are lost (the log under-reports repeats, never the
first refusal of a kind).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Seconds during which repeats of one kind of refusal are counted instead of recorded.
WINDOW = 60.0
#: Kinds remembered at most (the oldest are forgotten, so their next refusal is recorded).
MAX_KINDS = 10_000

Kind = tuple[str, str, str]  # (task, stage, code)


class RefusalLog:
    def __init__(self, window: float = WINDOW, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._kinds: dict[Kind, tuple[float, int]] = {}  # last recorded, repeats since

    def admit(self, kind: Kind) -> int | None:
        """None: count this refusal only. Otherwise record it, with this many repeats."""
        now = self._clock()
        with self._lock:
            last = self._kinds.get(kind)
            if last is not None and now - last[0] < self.window:
                self._kinds[kind] = (last[0], last[1] + 1)
                return None
            if len(self._kinds) >= MAX_KINDS:
                self._kinds.pop(next(iter(self._kinds)))
            self._kinds[kind] = (now, 0)
            return last[1] if last is not None else 0
