"""Identities the base ref's workflows commit as are automation (signoff.attribution.automation)."""

from __future__ import annotations

from signoff.attribution.attribute import AttributionKind, Attributor
from signoff.attribution.automation import workflow_identities
from signoff.changes import Commit, Person, Signature
from signoff.identity.agents import Registry
from signoff.identity.signers import Signers

WORKFLOW = """\
jobs:
  update:
    steps:
      - uses: stefanzweifel/git-auto-commit-action@v5
        with:
          commit_user_name: Acme
          commit_user_email: 1234+acmecli@users.noreply.github.com
          commit_author: Acme <1234+acmecli@users.noreply.github.com>
      - run: |
          git config user.email "release-robot@acme.test"
          git config user.email "${{ github.actor }}@users.noreply.github.com"
          echo "mail maintainer@acme.test when it fails"
"""


def _commit(name: str, email: str) -> Commit:
    who = Person(name, email, 1_760_000_000)
    return Commit("a" * 40, (), who, who, "chore: auto-update files", Signature("N"))


def test_the_addresses_a_workflow_commits_as() -> None:
    got = workflow_identities([(".github/workflows/update.yml", WORKFLOW)])
    assert set(got) == {"1234+acmecli@users.noreply.github.com", "release-robot@acme.test"}
    assert got["release-robot@acme.test"] == ".github/workflows/update.yml"


def test_a_commit_by_that_identity_is_a_bot() -> None:
    automation = workflow_identities([(".github/workflows/update.yml", WORKFLOW)])
    attributor = Attributor(Registry((), "", "test"), Signers(), automation)
    got = attributor(_commit("Acme", "1234+acmecli@users.noreply.github.com"))
    assert got.kind is AttributionKind.BOT
    assert any("workflow-identity" in e.detail for e in got.evidence)
    # a person's address the workflow only mentions stays a person's (unverified: unsigned)
    other = attributor(_commit("Pat", "maintainer@acme.test"))
    assert other.kind is AttributionKind.UNVERIFIED
    # without the workflows, the machine account looks like anyone
    plain = Attributor(Registry((), "", "test"), Signers())
    assert plain(_commit("Acme", "1234+acmecli@users.noreply.github.com")).kind is (
        AttributionKind.UNVERIFIED
    )
