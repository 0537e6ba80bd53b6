"""What an approval binds: the classes a person chose, and the content digests of those classes.

The one answer for every place an approval is made (`signoff approve`, the control plane's API
and console), computed from the gate's own decision on the range, never from what a client says
the range contains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from signoff.approvals.digest import class_digests
from signoff.decision import Decision, Verdict
from signoff.errors import Error


class RequestError(Error):
    """An approval that cannot be bound as asked (the classes are the field at fault)."""

    field = "classes"


@dataclass(frozen=True, slots=True)
class Binding:
    """The classes an approval covers and what it binds them to."""

    classes: tuple[str, ...]
    digests: dict[str, str]  #: class -> content digest (hex) of the chosen classes only
    current: dict[str, str]  #: class -> digest of every class the range lands
    policy_digest: str


def bind(
    decision: Decision,
    classes: Iterable[str] = (),
    where: str = "this range",
    naming: str = "the classes",
) -> Binding:
    """Bind the named classes (default: every class that is not allowed) to their digests.

    Naming a class the range lands nothing of, or asking for nothing when nothing needs
    approval, is refused: an approval of nothing would only confuse the record."""
    current = class_digests(decision.files, decision.digests["policy"])
    named = sorted(set(classes))
    if named:
        absent = [c for c in named if c not in current]
        if absent:
            raise RequestError(f"no {', '.join(absent)} file lands in {where}")
        chosen = named
    else:
        chosen = sorted(
            {f.file_class.value for f in decision.files if f.verdict is not Verdict.ALLOW}
        )
        if not chosen:
            raise RequestError(
                f"nothing in {where} needs approval; name {naming} to approve anyway"
            )
    return Binding(
        tuple(chosen), {c: current[c] for c in chosen}, current, decision.digests["policy"]
    )


def not_a_member(
    decision: Decision, binding: Binding, who: str, groups: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """Per bound class, the groups its requirements name that `who` is not in: the approval is
    recorded, but does not count for those groups."""
    out = {
        f"{f.file_class.value}: {who} is not in group {req.group}"
        for f in decision.files
        if f.file_class.value in binding.classes
        for req in f.requirements
        if who not in groups.get(req.group, ())
    }
    return sorted(out)
