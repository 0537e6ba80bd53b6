"""The release tag: on the candidate commit, reachable from a protected branch, made by a human.

An annotated tag's tagger line is *asserted* (anyone can type a name); a signed tag verified by
`git verify-tag` against the humans in `.signoff/allowed_signers` on the `--from` ref is
*witnessed*. A lightweight tag has no tagger at all, so it is refused unless the policy says
`release.allow_lightweight_tags: true`: an unverifiable tag must never count as a pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from signoff.errors import GitError
from signoff.gitio.runner import Git
from signoff.identity.agents import Registry
from signoff.identity.signers import SignerEntry
from signoff.patterns.globs import match_any
from signoff.policy.model import Policy
from signoff.release.identity import agent_reason

_TAGGER = re.compile(rb"^tagger (.*) <([^<>]*)> \d+ [+-]\d{4}$", re.MULTILINE)
_GOOD = re.compile(r'Good "git" signature for (\S+) with')
_SIG_MARK = (b"-----BEGIN SSH SIGNATURE-----", b"-----BEGIN PGP SIGNATURE-----")


@dataclass(frozen=True, slots=True)
class TagCheck:
    tag: str
    commit: str
    kind: str  # annotated | lightweight
    tagger: str
    evidence: str  # witnessed | asserted | none
    branches: tuple[str, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]


def check_tag(
    git: Git,
    tag: str,
    to_sha: str,
    policy: Policy,
    registry: Registry,
    humans: Sequence[SignerEntry],
) -> TagCheck:
    """Every reason the tag cannot mark this release (empty `problems` when it can)."""
    if not tag or tag.startswith("-") or any(c in tag for c in "\0\n ~^:?*[\\"):
        raise GitError(f"invalid tag name {tag!r}")
    ref = f"refs/tags/{tag}"
    kind_raw = git.run(["cat-file", "-t", ref], check=False).strip()
    if not kind_raw:
        raise GitError(
            f"unknown tag {tag!r}", hint="create the tag, or fetch it with `git fetch --tags`"
        )
    commit = git.run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False)
    commit_sha = commit.decode().strip()
    problems: list[str] = []
    notes: list[str] = []
    if commit_sha != to_sha:
        problems.append(
            f"tag {tag} points to {commit_sha[:12] or '?'}, not the release commit {to_sha[:12]}"
        )
    branches = _protected_containing(git, to_sha, policy.protected_branches)
    if not branches:
        problems.append(
            f"{to_sha[:12]} is on no protected branch ({', '.join(policy.protected_branches)})"
        )
    if kind_raw != b"tag":
        tagger, evidence = "", "none"
        msg = f"tag {tag} is lightweight: no tagger, so who made it cannot be checked"
        if policy.release.allow_lightweight_tags:
            notes.append(msg + " (allowed by release.allow_lightweight_tags)")
        else:
            problems.append(msg + "; use an annotated (ideally signed) tag")
        return TagCheck(
            tag,
            commit_sha,
            "lightweight",
            tagger,
            evidence,
            branches,
            tuple(problems),
            tuple(notes),
        )
    body = git.run(["cat-file", "tag", ref])
    m = _TAGGER.search(body)
    name, email = (
        (m.group(1).decode("utf-8", "replace"), m.group(2).decode("utf-8", "replace"))
        if m
        else ("", "")
    )
    tagger = f"{name} <{email}>" if m else ""
    if not m:
        problems.append(f"tag {tag} has no tagger line")
    elif why := agent_reason(email, registry, name=name):
        problems.append(f"tag {tag} was created by an agent identity: {why}")
    evidence = "asserted"
    if any(mark in body for mark in _SIG_MARK):
        signer = _verify_tag(git, ref, humans)
        if signer is None:
            problems.append(f"tag {tag} is signed, but not by a key in .signoff/allowed_signers")
        else:
            evidence = "witnessed"
            notes.append(f"tag signature verified: {signer}")
    elif policy.release.require_signed_tags:
        problems.append(f"tag {tag} is not signed (release.require_signed_tags)")
    else:
        notes.append(f"tag {tag} is not signed: the tagger {tagger} is asserted, not proven")
    return TagCheck(
        tag, commit_sha, "annotated", tagger, evidence, branches, tuple(problems), tuple(notes)
    )


def _protected_containing(git: Git, sha: str, patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Local and remote-tracking branches matching a protected pattern that contain `sha`."""
    out = git.run(
        ["for-each-ref", "--contains", sha, "--format=%(refname)", "refs/heads", "refs/remotes"]
    )
    found = []
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("refs/heads/"):
            branch = line.removeprefix("refs/heads/")
        else:
            parts = line.removeprefix("refs/remotes/").split("/", 1)
            if len(parts) != 2 or parts[1] == "HEAD":
                continue
            branch = parts[1]
        if match_any(patterns, branch):
            found.append(line)
    return tuple(found)


def _verify_tag(git: Git, ref: str, humans: Sequence[SignerEntry]) -> str | None:
    """The human principal whose key signed the tag, or None (only human keys are allowed)."""
    lines = "".join(
        f"{','.join(h.principals)} {h.options + ' ' if h.options else ''}{h.key}\n" for h in humans
    )
    with tempfile.TemporaryDirectory(prefix="signoff-tag-") as tmp:
        allowed = Path(tmp) / "allowed_signers"
        allowed.write_text(lines)
        argv = ["git", "-C", str(git.repo), "-c", f"gpg.ssh.allowedSignersFile={allowed}",
                "verify-tag", ref]  # fmt: skip
        env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
        # verify-tag reports the signer on stderr, which `Git.run` does not return.
        proc = subprocess.run(argv, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        return None
    m = _GOOD.search(proc.stderr.decode("utf-8", "replace"))
    return m.group(1) if m else None
