"""What a rule is: an ident, a fixed severity, a docs summary, and a pure function.

Rules *detect*; the engine dedups, keeps first-seen times and acknowledgements. A rule that
cannot judge (no ledger, no git history) returns nothing rather than guessing: the compliance
report, not the monitor, says what is not configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from signoff.monitor.alerts import Alert, Evidence, Severity
from signoff.monitor.model import Snapshot


@dataclass(frozen=True)
class Rule:
    ident: str
    severity: Severity
    summary: str
    check: Callable[[Snapshot, Rule], Iterable[Alert]]

    def alert(
        self,
        subject: str,
        message: str,
        action: str,
        *,
        seqs: Iterable[int] = (),
        commits: Iterable[str] = (),
    ) -> Alert:
        return Alert(
            rule=self.ident,
            severity=self.severity,
            subject=subject,
            message=message,
            action=action,
            evidence=Evidence(tuple(sorted(set(seqs)))[:200], tuple(dict.fromkeys(commits))[:200]),
        )


def rule(
    ident: str, severity: Severity, summary: str
) -> Callable[[Callable[[Snapshot, Rule], Iterable[Alert]]], Rule]:
    """Decorator: turn a check function into a `Rule` (registered explicitly in `rules/`)."""

    def wrap(fn: Callable[[Snapshot, Rule], Iterable[Alert]]) -> Rule:
        return Rule(ident, severity, summary, fn)

    return wrap
