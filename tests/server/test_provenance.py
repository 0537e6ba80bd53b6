"""Who built or signed an artifact is the authenticated caller, never a field: a `ci` token
cannot record that a trusted builder built something, and the release gate's artifact check
reads the verified identity."""

from __future__ import annotations

from serverteam import Team

from signoff.identity.agents import Registry
from signoff.ledger.events import EventType
from signoff.policy.model import ReleaseSettings
from signoff.release.artifacts import check_artifact
from signoff.server.releases.sources import ServerLog

DIGEST = "sha256:" + "ab" * 32
TRUSTED = ReleaseSettings(
    trusted_builders=("ci@example.com",), trusted_signers=("signer@example.com",)
)


def _check(team: Team) -> list[str]:
    log = ServerLog(team.server.ctx.recorder)
    got = check_artifact(log, "app.tgz", DIGEST, team.world.head, TRUSTED, Registry((), "", "test"))
    return list(got.problems)


def test_a_ci_token_cannot_name_a_trusted_builder(any_team: Team) -> None:
    team = any_team
    ci = team.api("ci")
    before = team.counts()
    size = team.server.ctx.recorder.size()
    built = {"digest": DIGEST, "commit": team.world.head, "builder": "ci@example.com"}
    r = ci.post("/v1/artifacts/built", built)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "not_your_identity"
    assert "service:ci" in r.json()["error"]["message"]
    r = ci.post("/v1/artifacts/signed", {"digest": DIGEST, "signer": "signer@example.com"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_identity"
    assert team.counts() == before and team.server.ctx.recorder.size() == size
    # without the field the caller is recorded as what it is, and that is not trusted
    unnamed = {k: v for k, v in built.items() if k != "builder"}
    assert ci.ok("POST", "/v1/artifacts/built", unnamed)["identity"] == "service:ci"
    assert any("trusted builder" in p for p in _check(team))


def test_a_token_bound_to_the_build_service_is_its_verified_identity(any_team: Team) -> None:
    team = any_team
    builder = team.api(None).as_(
        team.admin.token_for("release-build", ["ci"], identity="ci@example.com")
    )
    signer = team.api(None).as_(
        team.admin.token_for("release-sign", ["ci"], identity="signer@example.com")
    )
    r = builder.ok("POST", "/v1/artifacts/built", {"digest": DIGEST, "commit": team.world.head})
    assert r["identity"] == "ci@example.com"
    same = {"digest": DIGEST, "signer": "signer@example.com"}  # naming itself is accepted
    assert signer.ok("POST", "/v1/artifacts/signed", same)["identity"] == "signer@example.com"
    assert _check(team) == []
    events = team.server.ctx.recorder.ledger.recent(50)
    (b,) = [e for e in events if e.type is EventType.ARTIFACT_BUILT]
    assert b.payload["builder"] == "ci@example.com"
    assert {"payload.builder", "payload.identity_proof"} <= set(b.witnessed)
    assert b.payload["identity_proof"]["method"] == "api-token"
    assert b.payload["identity_proof"]["token_sha256"].startswith("sha256:")


def test_identities_bind_service_tokens_only(team: Team) -> None:
    for body, field in [
        ({"name": "x", "roles": ["ci"], "identity": "alice@example.com"}, "identity"),
        ({"name": "x", "roles": ["auditor"], "identity": "ci@example.com"}, "identity"),
        ({"name": "x", "roles": ["approver"], "human": "bob", "identity": "b@x"}, "identity"),
    ]:
        r = team.admin.post("/v1/tokens", body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
