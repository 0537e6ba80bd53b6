"""`artifact built|signed` and `release promoted` through the API: the caller is the identity.

The core's `record_artifact_event` does the recording, unchanged from the CLI's `--ledger`
path; what the server adds is *who*, and that is never a field. The builder, signer or promoter
is the authenticated caller (`Principal.provenance`): the service identity an admin bound the
`ci` token to (`POST /v1/tokens {"identity": "ci@example.com", ...}`), else a person's e-mail,
else `service:<token name>`. A `builder` or `signer` field may repeat that identity and is
refused (403 `not_your_identity`) when it names anyone else: a `ci` token, which anyone who can
edit a workflow can reach, must not be able to say a trusted builder built something. The event
marks the identity witnessed (`payload.builder` / `payload.signer`) and says how it was proven
(`payload.identity_proof`: the method and the token's digest).

A caller that is an agent identity (its e-mail, token name, bound identity or actor matches a
registered agent, the built-in catalogue, the `agent:` prefix or a `[bot]` account) is refused
with 403 `never_agent_action`, and so is a `builder`/`signer` naming one: publishing, signing
and promotion are never agent actions, whatever the token's role.
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


NOT_YOURS = "not_your_identity"


def caller_identity(who: Principal) -> str:
    """How the release gate names the caller: its verified identity (`Principal.provenance`)."""
    return who.provenance


def refuse_agent(who: Principal, registry: Registry) -> None:
    names = (who.identity, who.email, who.token_name, who.actor)
    for ident in dict.fromkeys(x for x in names if x):
        if why := agent_reason(ident, registry):
            raise ForbiddenError(
                f"refused: the caller is an agent identity ({why}); publishing, signing "
                "and promotion are never agent actions",
                code=NEVER_AGENT,
            )


def record_built(ctx: Context, who: Principal, body: ArtifactBuiltIn) -> ArtifactRecorded:
    """Record `artifact.built` by the caller (ci, admin)."""
    return _record(
        ctx, who, ArtifactKind.BUILT, body.digest, body.repo, ("builder", body.builder),
        name=body.name, commit=body.commit,
    )  # fmt: skip


def record_signed(ctx: Context, who: Principal, body: ArtifactSignedIn) -> ArtifactRecorded:
    """Record `artifact.signed` by the caller (ci, admin)."""
    return _record(
        ctx, who, ArtifactKind.SIGNED, body.digest, body.repo, ("signer", body.signer),
        name=body.name, commit=body.commit,
    )  # fmt: skip


def _record(
    ctx: Context,
    who: Principal,
    kind: ArtifactKind,
    digest: str,
    repo: str | None,
    claimed: tuple[str, str | None],
    **kw: Any,
) -> ArtifactRecorded:
    who.require(Perm.RECORD_ARTIFACTS)
    path = str(load_repo(ctx, repo)["path"]) if repo else None
    registry = agent_registry(ctx, repo, path)
    refuse_agent(who, registry)
    role, named = claimed
    if named is not None and (why := agent_reason(named, registry)):
        raise ForbiddenError(
            f"refused: {role} {named} is an agent identity ({why}); publishing, signing and "
            "promotion are never agent actions",
            code=NEVER_AGENT,
        )
    if named is not None and named != who.provenance:
        raise ForbiddenError(
            f"{role} {named!r} is not who you are: the {role} is the authenticated caller "
            f"({who.provenance}); an admin binds a build service's token to its identity",
            field=role,
            code=NOT_YOURS,
        )
    return append_event(
        ctx, who, kind, digest, registry=registry, repo=repo, **{role: who.provenance}, **kw
    )


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

    A builder or signer is always the caller itself (`_record` refuses any other): the server's
    own reading (`verified_by: server`, `payload.identity_proof`, both witnessed)."""
    role = {ArtifactKind.BUILT: "builder", ArtifactKind.SIGNED: "signer"}.get(kind)
    named = kw.get("builder") or kw.get("signer")
    if named is not None and named == caller_identity(who):
        kw = {**kw, "verified_by": "server"}
    proof = {"method": "api-token", "token_sha256": f"sha256:{who.token_sha256}",
             "identity": who.provenance}  # fmt: skip
    log = ServerLog(
        ctx.recorder,
        witnessed=(f"payload.{role}", "payload.identity_proof") if role else (),
        payload={"identity_proof": proof} if role else None,
    )
    try:
        seq, leaf = record_artifact_event(log, kind, digest, who.actor, registry=registry, **kw)
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
        identity=who.provenance,
        commit=kw.get("commit"),
        release=kw.get("release"),
    )
