"""Ledger integrity: full verification fails, checkpoints stop advancing, or the log disagrees
with a checkpoint saved elsewhere (truncation, rollback, a forked log)."""

from __future__ import annotations

from collections.abc import Iterator

from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot
from signoff.monitor.rules.base import Rule, rule


@rule("ledger.verify-failed", Severity.CRITICAL, "Full ledger verification failed.")
def verify_failed(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    h = snap.ledger
    if h is None or h.ok:
        return
    yield r.alert(
        "ledger",
        f"ledger verification failed at seq {h.first_bad_seq}: {h.problem}",
        "treat the ledger as tampered: restore from backup, compare with saved checkpoints, "
        "and investigate database access",
        seqs=[h.first_bad_seq] if h.first_bad_seq is not None else [],
    )


@rule(
    "ledger.checkpoint-inconsistent",
    Severity.CRITICAL,
    "The log is inconsistent with a checkpoint saved elsewhere.",
)
def checkpoint_inconsistent(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    h = snap.ledger
    if h is None or not h.trusted_problem:
        return
    yield r.alert(
        "ledger:trusted-checkpoint",
        f"the log does not extend the trusted checkpoint (size {h.trusted_size}): "
        f"{h.trusted_problem}",
        "the log was truncated, rolled back or forked: stop appending, keep the database for "
        "forensics, restore from a copy consistent with the saved checkpoint",
    )


@rule(
    "ledger.checkpoint-stale",
    Severity.HIGH,
    "Events were appended but no checkpoint has been signed for too long.",
)
def checkpoint_stale(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    h = snap.ledger
    if h is None or h.size <= h.latest_checkpoint_size:
        return
    limit = snap.config.checkpoint_max_age_minutes * 60
    last = h.latest_checkpoint_time
    age = (snap.now - last).total_seconds() if last else None
    if age is not None and age <= limit:
        return
    since = f"for {age / 60:.0f} min" if age is not None else "ever"
    yield r.alert(
        "ledger:checkpoint",
        f"{h.size - h.latest_checkpoint_size} event(s) not covered by a signed checkpoint "
        f"{since} (latest checkpoint size {h.latest_checkpoint_size}, log size {h.size})",
        "check the signer (key file readable, `signoff ledger checkpoint` works) and save the "
        "new checkpoint outside the database",
        seqs=[h.latest_checkpoint_size],
    )


RULES = (verify_failed, checkpoint_inconsistent, checkpoint_stale)
