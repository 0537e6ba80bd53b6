"""More than one second source of approvals at once (the control plane and a forge's reviews).

Each source stays what it is: its records keep their own `source` tag, and the report names
every source's URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from signoff.approvals.check import RecordSource
from signoff.approvals.verify import CheckedRecord


class Combined:
    """A `RecordSource` that asks each of `sources` in turn; any failure is the whole answer's."""

    def __init__(self, sources: Sequence[RecordSource]) -> None:
        self.sources = tuple(sources)
        self.url = " and ".join(s.url for s in self.sources)

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]:
        return [rec for s in self.sources for rec in s.fetch(digests, repository)]


def combine(sources: Sequence[RecordSource]) -> RecordSource | None:
    """None for no source, the source itself for one, `Combined` for several."""
    if not sources:
        return None
    return sources[0] if len(sources) == 1 else Combined(sources)
