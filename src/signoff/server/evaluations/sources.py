"""What the server's own gate run reads besides git: approvals given through the API and pushes
the hook witnessed, straight from the server's database (no HTTP round trip).

`DbApprovals` is the gate's `RecordSource` (`signoff.approvals.check`); `DbWitness` its
`WitnessSource` (`signoff.gate.check`). Both are what `signoff check --server` fetches over
HTTP (`signoff.client`), read in-process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from signoff.approvals.server_source import checked_from_api
from signoff.approvals.verify import CheckedRecord
from signoff.attribution.attribute import Witness
from signoff.server.approvals.schemas import ApprovalOut
from signoff.server.context import Context

#: Most API approvals one gate run reads for one repository.
MAX_APPROVALS = 5000


class DbApprovals:
    """Approvals given through the API bound to the digests the gate computed (and, for the
    release gate, those given for one of `heads`, so a stale one is reported as stale)."""

    url = "signoff-server"

    def __init__(self, ctx: Context, repo: str, heads: Sequence[str] = ()) -> None:
        self.ctx = ctx
        self.repo = repo
        self.heads = list(heads)

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]:
        from signoff.server.approvals import repository as approvals

        bare = sorted(set(digests.values()))
        if not bare:
            return []
        with self.ctx.db.read() as conn:
            rows = {r["id"]: r for r in approvals.find(conn, self.repo, bare, None, MAX_APPROVALS)}
            for r in approvals.for_heads(conn, self.repo, self.heads[:MAX_APPROVALS]):
                rows.setdefault(r["id"], r)
        items = sorted(rows.values(), key=lambda r: (r["time"], r["id"]))
        return [checked_from_api(ApprovalOut.from_row(r).model_dump(), repository) for r in items]


class DbWitness:
    """Commits the hook saw pushed with a task token, with the task's requester."""

    def __init__(self, ctx: Context, repo: str) -> None:
        self.ctx = ctx
        self.repo = repo

    def witnessed(self, shas: Sequence[str]) -> dict[str, Witness]:
        from signoff.server.broker.repository import witnessed_for

        out: dict[str, Witness] = {}
        with self.ctx.db.read() as conn:
            for start in range(0, len(shas), 500):
                for r in witnessed_for(conn, self.repo, shas[start : start + 500]):
                    out[r["commit_sha"]] = Witness(r["task"], r["agent"], r["requester"], r["ref"])
        return out
