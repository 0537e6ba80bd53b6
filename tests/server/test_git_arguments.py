"""A ref a caller writes never reaches git as an option (argument injection): refused with
422 before git runs, and nothing is written on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from serverteam import Team


@pytest.mark.parametrize("field", ["from", "to", "tag"])
def test_release_refs_that_are_options_are_refused(team: Team, tmp_path: Path, field: str) -> None:
    target = tmp_path / f"pwned-{field}"
    body = {"from": team.world.base, "to": team.world.head, field: f"--output={target}"}
    for who in ("ci", "auditor"):
        before = team.counts()
        r = team.api(who).post("/v1/repos/demo/releases/verify", body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
        assert "not a commit id or ref name" in r.json()["error"]["message"]
        assert not target.exists()
        assert team.counts() == before


def test_revision_expressions_are_refused_too(team: Team) -> None:
    for bad in ("main..HEAD", "HEAD~1", "HEAD^{commit}", "main@{1}", "a:b"):
        r = team.api("ci").post("/v1/repos/demo/releases/verify", {"to": bad})
        assert r.status_code == 422, (bad, r.text)


def test_a_plain_ref_and_a_full_sha_still_verify(team: Team) -> None:
    r = team.api("ci").post(
        "/v1/repos/demo/releases/verify", {"from": team.world.base, "to": "work"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["head"] == team.world.head
