"""Policy and registry texts the gate tests commit to their base branches."""

from __future__ import annotations

POLICY = """\
version: 1
groups:
  maintainers: [alice@example.com, bob@example.com]
  release-managers: [carol@example.com]
default_approval: {approvals: 1, from: maintainers}
treat_unverified_as_agent: true
unregistered_agents: {mode: supervised}
auto_lane: {classes: [docs, tests, release-notes]}
rules:
  - name: ci-needs-two
    when: {classes: [ci-workflow]}
    require: {approvals: 2, from: maintainers}
  - name: lockfiles-need-release-manager
    when: {classes: [lockfile, dependency-manifest]}
    require: {approvals: 1, from: release-managers}
"""

AGENTS = """\
version: 1
agents:
  - id: copilot
    owner: platform@example.com
    purpose: issue fixes
    mode: supervised
    review_by: 2999-01-01
    match: {catalog: [github-copilot]}
  - id: claude
    owner: alice@example.com
    purpose: pairing
    mode: limited
    review_by: 2999-01-01
    match: {catalog: [claude-code]}
  - id: old-bot
    owner: dave@example.com
    purpose: retired experiment
    mode: supervised
    expires: 2020-01-01
    match: {emails: [old-bot@example.com]}
  - id: paused
    owner: erin@example.com
    purpose: paused pilot
    mode: supervised
    status: suspended
    review_by: 2999-01-01
    match: {emails: [paused@example.com]}
  - id: overdue
    owner: frank@example.com
    purpose: needs a review
    mode: supervised
    review_by: 2020-01-01
    match: {emails: [overdue@example.com]}
  - id: blocky
    owner: gina@example.com
    purpose: blocked agent
    mode: blocked
    review_by: 2999-01-01
    match: {emails: [blocky@example.com]}
  - id: scoped
    owner: hank@example.com
    purpose: docs only
    mode: supervised
    review_by: 2999-01-01
    scope: {paths: ["docs/**"], branches: [main]}
    match: {emails: [scoped@example.com]}
"""
