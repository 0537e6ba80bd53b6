"""The policy's `release:` section: defaults, validation, and who counts as an agent."""

from __future__ import annotations

import pytest

from signoff.errors import ConfigError
from signoff.identity.agents import EMPTY_REGISTRY
from signoff.policy.load import parse_policy
from signoff.policy.model import RELEASE_CLASSES
from signoff.release.identity import agent_reason

BASE = b"version: 1\ngroups: {maintainers: [a@x.org], rm: [b@x.org]}\n"


def test_release_defaults_are_the_release_impacting_classes() -> None:
    rel = parse_policy(BASE).release
    assert rel.classes == RELEASE_CLASSES and rel.group == "release-managers"
    assert rel.trusted_builders == () and not rel.allow_lightweight_tags


def test_release_section_is_validated() -> None:
    p = parse_policy(BASE + b"release: {from: rm, approvals: 2, classes: [lockfile]}\n")
    assert (p.release.group, p.release.approvals, [c.value for c in p.release.classes]) == (
        "rm",
        2,
        ["lockfile"],
    )
    with pytest.raises(ConfigError, match="trusted_builder"):
        parse_policy(BASE + b"release: {trusted_builder: [ci]}\n")
    with pytest.raises(ConfigError, match="not defined"):
        parse_policy(BASE + b"release: {from: nobody}\n")


@pytest.mark.parametrize(
    ("identity", "agent"),
    [
        ("agent:copilot", True),
        ("198982749+Copilot@users.noreply.github.com", True),
        ("dependabot[bot]", True),
        ("ci@example.com", False),
        ("alice@example.com", False),
    ],
)
def test_agent_identities(identity: str, agent: bool) -> None:
    assert (agent_reason(identity, EMPTY_REGISTRY) is not None) is agent
