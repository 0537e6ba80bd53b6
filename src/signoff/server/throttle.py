"""Failed attempts slow their maker down: failed sign-ins, unknown bearer tokens, refused
token exchanges.

Only failures count, per client address, over a sliding window: past `limit` failures in
`window` seconds a failing caller gets 429 (`Retry-After`) until the oldest falls out of the
window. A bearer token or a sign-in is judged only when it fails, so a valid token is always
served (nobody sharing an address can lock its holder out); a token exchange is refused before
any work or ledger write, since that work is what the throttle bounds. The count lives in this
process: with N replicas behind a balancer an address gets at most N x `limit` failures per
window (docs/server.md, "Throttling").
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from signoff.server.errors import ServiceError

#: Failures per address per window before refusing (defaults; `Settings` may change them).
LIMIT = 20
WINDOW = 60.0
#: Addresses remembered at most; the least recently failing are forgotten first.
MAX_KEYS = 10_000


class TooManyRequestsError(ServiceError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FailureThrottle:
    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, key: str, what: str = "failed attempts") -> None:
        """Refuse (429) when `key` failed `limit` times within the window."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            seen = self._fails.get(key)
            if seen is None:
                return
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) < self.limit:
                return
            wait = max(1, math.ceil(seen[0] + self.window - now))
        raise TooManyRequestsError(
            f"too many {what} from this address; retry in {wait} s", retry_after=wait
        )

    def fail(self, key: str) -> None:
        """Count one failure of `key`."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            seen = self._fails.pop(key, None) or deque(maxlen=self.limit)
            seen.append(now)
            self._fails[key] = seen  # most recently failing last
            while len(self._fails) > MAX_KEYS:
                self._fails.popitem(last=False)
