"""Was an agent identity valid for a piece of work? Expiry is lifecycle, revocation is compromise.

- **Revoked** (an `identity.suspended` ledger event names the agent, or the registry says
  `status: suspended`) is retroactive: everything the identity ever produced is suspect, whenever
  it was made.
- **Expired** is judged at the time of the work: work done while the identity was valid stays
  valid after its `expires` date passes. The time must be one signoff witnessed (a push through
  the hook, a decision the gate recorded), never a date the work carries (commit dates are
  written by whoever commits). Without one, the caller passes the time of the check.
- **Retired** is a lifecycle end with no date of its own: with an `expires` date it is judged
  like expiry at that date; without one, its work cannot be placed before the retirement and
  is refused.
- `review_by` passing is a reminder, never a refusal.

Pure: the hook, the release gate and monitoring call `identity_state_at` with what they know.
docs/release.md ("Identities") and docs/monitoring.md state the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

from signoff.identity.agents import Agent, Status


class Validity(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    RETIRED = "retired"
    REVOKED = "revoked"


class IdentityState(NamedTuple):
    validity: Validity
    reason: str

    @property
    def ok(self) -> bool:
        return self.validity is Validity.VALID


def identity_state_at(
    agent: Agent, when: dt.datetime, revocations: Mapping[str, int] | None = None
) -> IdentityState:
    """The agent's validity for work done at `when` (aware), given the ledger's revocations
    (agent id -> seq of the `identity.suspended` event)."""
    if when.tzinfo is None:
        raise ValueError("identity_state_at needs a timezone-aware time")
    seq = (revocations or {}).get(agent.id)
    if seq is not None:
        return IdentityState(
            Validity.REVOKED, f"agent {agent.id} was revoked (ledger seq {seq}): all its work"
        )
    if agent.status is Status.SUSPENDED:
        return IdentityState(
            Validity.REVOKED,
            f"agent {agent.id} is suspended in the registry: treated as revoked, all its work",
        )
    day = when.astimezone(dt.UTC).date()
    if agent.expires is not None and day > agent.expires:
        state = Validity.RETIRED if agent.status is Status.RETIRED else Validity.EXPIRED
        return IdentityState(
            state, f"agent {agent.id} expired on {agent.expires}, before the work ({day})"
        )
    if agent.status is Status.RETIRED and agent.expires is None:
        return IdentityState(
            Validity.RETIRED,
            f"agent {agent.id} is retired with no expires date: its work cannot be placed "
            "before the retirement",
        )
    return IdentityState(Validity.VALID, "")
