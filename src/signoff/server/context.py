"""What every service call gets: settings, the database and the ledger recorder."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.server.db import Database
from signoff.server.ledgering import Recorder
from signoff.server.settings import Settings


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    db: Database
    recorder: Recorder
