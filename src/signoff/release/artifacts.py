"""Artifact events (built, signed, promoted): recorded by non-agent identities, checked at release.

Publishing, signing and promotion are never agent actions (docs/policy.md), so recording refuses an
agent identity outright, and the release gate fails an artifact that any agent identity is
recorded as having built or signed, even beside a trusted record: such a log entry means the
refusal was bypassed, which is exactly what a release must not ignore.

Who did it is *asserted* when recorded through the CLI (the identity flag) and *witnessed* when
the control plane records it: the actor is then the authenticated caller. A CLI record can carry
the builder's or signer's own SSH signature; each record's `verified_by` (server, ssh-signature,
asserted: `signoff.release.provenance`) is reported, and `release.require_verified_builders`
counts only verified ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from signoff.errors import Error
from signoff.identity.agents import Registry
from signoff.ledger.events import Event, EventDraft, EventType
from signoff.policy.model import ReleaseSettings
from signoff.release.events import EventLog, event_digest, of_type
from signoff.release.identity import agent_reason
from signoff.release.provenance import ASSERTED, verified_by

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class ArtifactKind(StrEnum):
    BUILT = "built"
    SIGNED = "signed"
    PROMOTED = "promoted"

    @property
    def event_type(self) -> EventType:
        return {
            ArtifactKind.BUILT: EventType.ARTIFACT_BUILT,
            ArtifactKind.SIGNED: EventType.ARTIFACT_SIGNED,
            ArtifactKind.PROMOTED: EventType.RELEASE_PROMOTED,
        }[self]


class AgentRefusedError(Error):
    """An agent identity tried to record a build, signature or promotion."""

    def __init__(self, role: str, reason: str) -> None:
        super().__init__(
            f"refused: {role} is an agent identity ({reason}); "
            "publishing, signing and promotion are never agent actions"
        )


def parse_digest(text: str) -> str:
    """`sha256:<64 hex>` (lower case), or an Error that says what is expected."""
    value = text.strip().lower()
    if not _DIGEST.match(value):
        raise Error(f"bad artifact digest {text!r}: expected sha256:<64 hex digits>")
    return value


def file_digest(path: Path) -> str:
    """`sha256:<hex>` of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        raise Error(f"cannot read artifact {path}: {exc.strerror}") from None
    return f"sha256:{h.hexdigest()}"


def record_artifact_event(
    log: EventLog,
    kind: ArtifactKind,
    digest: str,
    identity: str,
    *,
    registry: Registry,
    commit: str | None = None,
    builder: str | None = None,
    signer: str | None = None,
    release: str | None = None,
    name: str | None = None,
    repo: str | None = None,
    signed: Mapping[str, str] | None = None,
    verified_by: str | None = None,
) -> tuple[int, str]:
    """Append `artifact.built|signed` or `release.promoted`; refuse agent identities.

    The function the CLI (`--ledger`) and the control plane's endpoints call: (seq, leaf hash
    hex). `repo` (the control plane's repository name) becomes a subject when given; `signed`
    is the builder's or signer's signed statement (`provenance.signed_payload`); `verified_by`
    is "server" when the control plane records its authenticated caller as the builder or
    signer (read as such only from the control plane's own log).
    """
    digest = parse_digest(digest)
    roles = {"identity": identity, "builder": builder, "signer": signer}
    for role, who in roles.items():
        if who is not None and (why := agent_reason(who, registry)):
            raise AgentRefusedError(role, why)
    subjects = {"artifact": digest}
    if repo:
        subjects["repo"] = repo
    payload: dict[str, object] = {}
    if name:
        payload["name"] = name
    if kind is ArtifactKind.BUILT:
        if commit is None or not _COMMIT.match(commit):
            raise Error("artifact built: --commit must be a full commit SHA")
        subjects["commit"] = commit
        payload["builder"] = builder or identity
    elif kind is ArtifactKind.SIGNED:
        payload["signer"] = signer or identity
        if commit is not None:
            subjects["commit"] = commit
    else:
        if not release:
            raise Error("release promote: --release must name the release (e.g. its tag)")
        subjects["release"] = release
        payload["release"] = release
    payload.update(signed or {})
    if verified_by is not None:
        payload["verified_by"] = verified_by
    draft = EventDraft(kind.event_type, identity, subjects, payload, ())
    return log.append(draft)


@dataclass(frozen=True, slots=True)
class ArtifactCheck:
    """What the ledger says about one artifact, and every reason it cannot ship."""

    name: str
    digest: str
    problems: tuple[str, ...]
    built_by: tuple[str, ...]
    signed_by: tuple[str, ...]
    events: tuple[Event, ...]
    #: per built/signed record: (ledger seq, role, identity, verified_by, how)
    provenance: tuple[tuple[int, str, str, str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def citations(self) -> list[dict[str, object]]:
        """The ledger events relied on, as VSA input attestations (uri + digest)."""
        return [
            {"uri": f"ledger:seq/{e.seq}", "digest": {"sha256": event_digest(e)}}
            for e in self.events
        ]


def _who(e: Event, key: str) -> str:
    value = e.payload.get(key)
    return value if isinstance(value, str) and value else e.actor


def check_artifact(
    log: EventLog,
    name: str,
    digest: str,
    commit: str,
    settings: ReleaseSettings,
    registry: Registry,
    *,
    allowed_signers: str = "",
    at: dt.datetime | None = None,
) -> ArtifactCheck:
    """Built by a trusted non-agent builder from `commit`, and signed by a trusted signer;
    with `release.require_verified_builders`, only records whose builder or signer is verified
    (the control plane's own record, or their SSH signature) count."""
    events = log.by_subject("artifact", digest)
    built = of_type(events, EventType.ARTIFACT_BUILT)
    signed = of_type(events, EventType.ARTIFACT_SIGNED)
    problems: list[str] = []
    if not built and not signed:
        problems.append(f"{name}: {digest} is not in the ledger (no artifact.built event)")
        return ArtifactCheck(name, digest, tuple(problems), (), (), ())
    for e in [*built, *signed]:
        for who in dict.fromkeys([e.actor, _who(e, "builder"), _who(e, "signer")]):
            if why := agent_reason(who, registry):
                problems.append(f"{name}: {e.type.value} by an agent identity: {why} (seq {e.seq})")
    when = at or dt.datetime.now(dt.UTC)
    server = log.verifies_actors
    prov = [
        _provenance(e, role, server, allowed_signers, when)
        for role, group in (("builder", built), ("signer", signed))
        for e in group
    ]
    verified = {seq for seq, _, _, by, _ in prov if by != ASSERTED}
    needs = settings.require_verified_builders
    good_built = _trusted(built, "builder", settings.trusted_builders, registry, commit=commit,
                          verified=verified if needs else None)  # fmt: skip
    good_signed = _trusted(signed, "signer", settings.trusted_signers, registry,
                           verified=verified if needs else None)  # fmt: skip
    unverified = " verified" if needs else ""
    if not good_built:
        problems.append(
            f"{name}: no record of being built from {commit[:12]} by a{unverified} trusted "
            f"builder{_why(built, 'builder', settings.trusted_builders, commit, prov)}"
        )
    if not good_signed:
        problems.append(
            f"{name}: no record of being signed by a{unverified} trusted "
            f"signer{_why(signed, 'signer', settings.trusted_signers, None, prov)}"
        )
    return ArtifactCheck(
        name,
        digest,
        tuple(problems),
        tuple(dict.fromkeys(_who(e, "builder") for e in good_built)),
        tuple(dict.fromkeys(_who(e, "signer") for e in good_signed)),
        tuple(good_built + good_signed),
        tuple(prov),
    )


def _trusted(
    events: Sequence[Event],
    role: str,
    trusted: Sequence[str],
    registry: Registry,
    *,
    commit: str | None = None,
    verified: set[int] | None = None,
) -> list[Event]:
    return [
        e
        for e in events
        if _who(e, role) in trusted
        and not agent_reason(_who(e, role), registry)
        and not agent_reason(e.actor, registry)
        and (commit is None or e.subjects.get("commit") == commit)
        and (verified is None or e.seq in verified)
    ]


def _provenance(
    e: Event, role: str, server: bool, allowed_signers: str, at: dt.datetime
) -> tuple[int, str, str, str, str]:
    """(seq, role, identity, verified by, how): who vouches for this builder or signer."""
    who = _who(e, role)
    v = verified_by(e, who, server_log=server, allowed_signers=allowed_signers, at=at)
    return (e.seq, role, who, v.verified_by, v.detail)


def _why(
    events: Sequence[Event],
    role: str,
    trusted: Sequence[str],
    commit: str | None,
    prov: Sequence[tuple[int, str, str, str, str]] = (),
) -> str:
    if not trusted:
        return f" (the policy's release.trusted_{role}s list is empty: nobody is trusted)"
    if not events:
        return f" (no artifact.{'built' if role == 'builder' else 'signed'} event)"
    by = {seq: f"{how} ({detail})" for seq, r, _, how, detail in prov if r == role}
    seen = []
    for e in events:
        bits = [f"by {_who(e, role)}"]
        if commit is not None and e.subjects.get("commit") != commit:
            bits.append(f"from {str(e.subjects.get('commit', '?'))[:12]}")
        if e.seq in by:
            bits.append(by[e.seq])
        seen.append(" ".join(bits))
    return f" (recorded: {'; '.join(seen)}; trusted: {', '.join(trusted)})"
