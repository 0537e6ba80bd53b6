"""`artifact built|signed` and `release promoted` through the API: the caller is the identity.

The core's `record_artifact_event` does the recording, unchanged from the CLI's `--ledger`
path; what the server adds is *who*: the event's actor is the authenticated principal
(`human:<id>` or `service:<token name>`, marked witnessed), and the default builder, signer or
promoter is that caller (a person's e-mail, or `service:<token name>`). A caller that is an
agent identity (its e-mail, token name or actor matches a registered agent, the built-in
catalogue, the `agent:` prefix or a `[bot]` account) is refused with 403 `never_agent_action`,
and so is a `builder`/`signer` naming one: publishing, signing and promotion are never agent
actions, whatever the token's role.
"""

from __future__ import annotations

from typing import Any

from signoff.identity.agents import Registry
from signoff.ledger.events import EventError
from signoff.release.artifacts import AgentRefusedError, ArtifactKind, record_artifact_event
from signoff.release.identity import agent_reason
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import ForbiddenError, InvalidInputError
from signoff.server.releases.schemas import ArtifactBuiltIn, ArtifactRecorded, ArtifactSignedIn
from signoff.server.releases.sources import ServerLog, agent_registry
from signoff.server.repos.service import load as load_repo

NEVER_AGENT = "never_agent_action"


def caller_identity(who: Principal) -> str:
    """How the release gate names the caller: a person's e-mail, else `service:<token name>`."""
    return who.email or who.actor


def refuse_agent(who: Principal, registry: Registry) -> None:
    for ident in dict.fromkeys(x for x in (who.email, who.token_name, who.actor) if x):
        if why := agent_reason(ident, registry):
            raise ForbiddenError(
                f"refused: the caller is an agent identity ({why}); publishing, signing "
                "and promotion are never agent actions",
                code=NEVER_AGENT,
            )


def record_built(ctx: Context, who: Principal, body: ArtifactBuiltIn) -> ArtifactRecorded:
    """Record `artifact.built` for the caller (ci, admin)."""
    return _record(
        ctx,
        who,
        ArtifactKind.BUILT,
        body.digest,
        body.repo,
        name=body.name,
        commit=body.commit,
        builder=body.builder or caller_identity(who),
    )


def record_signed(ctx: Context, who: Principal, body: ArtifactSignedIn) -> ArtifactRecorded:
    """Record `artifact.signed` for the caller (ci, admin)."""
    return _record(
        ctx,
        who,
        ArtifactKind.SIGNED,
        body.digest,
        body.repo,
        name=body.name,
        commit=body.commit,
        signer=body.signer or caller_identity(who),
    )


def _record(
    ctx: Context, who: Principal, kind: ArtifactKind, digest: str, repo: str | None, **kw: Any
) -> ArtifactRecorded:
    who.require(Perm.RECORD_ARTIFACTS)
    path = str(load_repo(ctx, repo)["path"]) if repo else None
    registry = agent_registry(ctx, repo, path)
    refuse_agent(who, registry)
    return append_event(ctx, who, kind, digest, registry=registry, repo=repo, **kw)


def append_event(
    ctx: Context,
    who: Principal,
    kind: ArtifactKind,
    digest: str,
    *,
    registry: Registry,
    **kw: Any,
) -> ArtifactRecorded:
    """The core's `record_artifact_event` on the server's ledger, the caller as actor.

    A builder or signer that is the caller itself is the server's own reading (`verified_by:
    server`); one the caller names for someone else stays asserted."""
    named = kw.get("builder") or kw.get("signer")
    if named is not None and named == caller_identity(who):
        kw = {**kw, "verified_by": "server"}
    try:
        seq, leaf = record_artifact_event(
            ServerLog(ctx.recorder), kind, digest, who.actor, registry=registry, **kw
        )
    except AgentRefusedError as exc:
        raise ForbiddenError(str(exc), code=NEVER_AGENT) from None
    except EventError as exc:
        raise InvalidInputError(str(exc)) from None
    return ArtifactRecorded(
        event=kind.event_type.value,
        ledger_seq=seq,
        leaf_hash=leaf,
        digest=digest,
        actor=who.actor,
        identity=kw.get("builder") or kw.get("signer") or caller_identity(who),
        commit=kw.get("commit"),
        release=kw.get("release"),
    )
