"""Approvals given in the console or API, read in-process as the gate's record source (the same
shape `signoff check --server` fetches over HTTP)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import RowMapping

from signoff.approvals.server_source import checked_from_api
from signoff.approvals.verify import CheckedRecord
from signoff.server import jsoncol
from signoff.server.approvals import repository as approvals
from signoff.server.context import Context

#: every approval of a pull request's digests fits easily; more would be an attack on memory
MAX_RECORDS = 10_000


class ServerRecords:
    def __init__(self, ctx: Context, repo: str) -> None:
        self.ctx, self.repo = ctx, repo
        self.url = "this control plane"

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]:
        wanted = sorted(set(digests.values()))
        with self.ctx.db.read() as conn:
            rows = approvals.find(conn, self.repo, wanted, None, MAX_RECORDS)
        return [checked_from_api(_item(r), repository) for r in rows]


def _item(r: RowMapping) -> dict[str, Any]:
    """A stored approval in the API's shape (digests as sha256:<hex>)."""
    return {
        **dict(r),
        "policy_digest": f"sha256:{r['policy_digest']}",
        "digests": {k: f"sha256:{v}" for k, v in jsoncol.loads(str(r["digests"])).items()},
    }
