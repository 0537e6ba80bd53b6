"""Two registries that disagree: the stricter wins, agent by agent (issue item 9, pure part)."""

from __future__ import annotations

import datetime as dt

from signoff.identity.agents import Status, merge_registries, parse_registry
from signoff.taxonomy import Mode

REPO = b"""
version: 1
agents:
  - {id: copilot, owner: a@x, mode: limited, review_by: 2030-01-01,
     scope: {paths: ["src/**", "docs/**"]}, match: {catalog: [github-copilot]}}
  - {id: local-only, owner: a@x, expires: 2031-01-01}
"""
SERVER = b"""
version: 1
agents:
  - {id: copilot, owner: b@x, mode: supervised, status: suspended, expires: 2029-06-30,
     review_by: 2031-01-01, scope: {paths: ["src/**", "tests/**"], branches: ["agent/*"]},
     match: {emails: [bot@x]}, max_token_ttl: 300}
  - {id: server-only, owner: b@x, review_by: 2030-01-01}
"""


def test_the_stricter_of_each_field_applies() -> None:
    merged, drift = merge_registries(parse_registry(REPO, "agents.yml"),
                                     parse_registry(SERVER, "server"))  # fmt: skip
    c = merged.get("copilot")
    assert c is not None
    assert c.status is Status.SUSPENDED and c.mode is Mode.SUPERVISED
    assert c.expires == dt.date(2029, 6, 30) and c.review_by == dt.date(2030, 1, 1)
    assert c.max_token_ttl == 300 and c.owner == "a@x"
    assert c.match.catalog == ("github-copilot",) and c.match.emails == ("bot@x",)
    # both scopes at once: src/ is in both, docs/ and tests/ only in one
    assert c.scope.allows_path("src/app.py")
    assert not c.scope.allows_path("docs/x.md") and not c.scope.allows_path("tests/t.py")
    assert c.scope.allows_branch("agent/fix") and not c.scope.allows_branch("main")
    # the server restricts the repository's agents but never registers one for it
    assert {a.id for a in merged.agents} == {"copilot", "local-only"}
    text = "\n".join(drift)
    assert "agent copilot: status is active in the repository but suspended on the server" in text
    assert "agent copilot: mode is limited in the repository but supervised" in text
    assert "agent local-only is in agents.yml but not registered on the server" in text
    assert "agent server-only is registered on the server but not in agents.yml" in text


def test_a_side_without_a_scope_restricts_nothing() -> None:
    repo = parse_registry(b"version: 1\nagents: [{id: a, owner: o, review_by: 2030-01-01}]\n")
    server = parse_registry(
        b"version: 1\nagents: [{id: a, owner: o, review_by: 2030-01-01, scope: {paths: [x/**]}}]\n"
    )
    merged, _ = merge_registries(repo, server)
    a = merged.get("a")
    assert a is not None and a.scope.allows_path("x/1") and not a.scope.allows_path("y/1")
    same, drift = merge_registries(repo, repo)
    assert drift == [] and same.agents == repo.agents
