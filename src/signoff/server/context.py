"""What every service call gets: settings, the database, the ledger recorder, and the
per-process caches that authentication uses (principals, failure throttle)."""

from __future__ import annotations

from dataclasses import dataclass, field

from signoff.server.db import Database
from signoff.server.ledgering import Recorder
from signoff.server.principals import PrincipalCache
from signoff.server.settings import Settings
from signoff.server.throttle import FailureThrottle


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    db: Database
    recorder: Recorder
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    throttle: FailureThrottle = field(default_factory=FailureThrottle)
