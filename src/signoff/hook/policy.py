"""What the hook needs from the policy on the default branch, cached per policy blob.

The hook needs two things from `.signoff/policy.yml` on every push: the protected branch
patterns and the extra class globs (to name a refused file's class). Parsing the YAML policy
costs more than the rest of an ordinary push, and the policy changes rarely, so both are kept
in `<repo>/signoff-hook.cache/policy-<blob id>.json`: keyed by the blob's id, an entry can never
describe another policy. `signoff hook install` creates the directory; without it nothing is
cached (the hook never creates files it was not installed with). An unreadable or malformed
entry is ignored and the policy parsed again; a policy that does not parse refuses the push.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import NamedTuple

from signoff.broker.enforce import protected_patterns
from signoff.gitio.runner import Git
from signoff.protected import POLICY_PATH

CACHE_DIR = "signoff-hook.cache"
_VERSION = 1


class HookPolicy(NamedTuple):
    protected: tuple[str, ...]  # the policy's protected_branches (no built-in names)
    class_globs: dict[str, tuple[str, ...]]  # class name -> extra globs


NO_POLICY = HookPolicy((), {})


def default_branch(repo: str) -> str | None:
    """The branch HEAD names, read from the HEAD file (no subprocess)."""
    try:
        with open(os.path.join(repo, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
    except OSError:
        return None
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref: refs/heads/") else None


def load(git: Git, repo: str, branch: str | None) -> HookPolicy:
    """The policy on `branch` (the default branch) as it is before this push."""
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    out = git.run(["rev-parse", "-q", "--verify", f"{ref}:{POLICY_PATH}"], check=False)
    blob = out.decode("ascii", "replace").strip()
    if not blob:
        return NO_POLICY  # no policy (or an unborn branch): the built-in names still apply
    path = os.path.join(repo, CACHE_DIR, f"policy-{blob}.json")
    cached = _read(path, blob)
    if cached is not None:
        return cached
    from signoff.gitio.history import read_objects
    from signoff.policy.load import parse_policy  # YAML: only for a policy not seen before

    raw = read_objects(git, [blob]).get(blob)
    if raw is None:
        return NO_POLICY
    policy = parse_policy(raw, f"{ref}:{POLICY_PATH}")  # a broken policy refuses the push
    hp = HookPolicy(
        tuple(policy.protected_branches),
        {c.value: tuple(globs) for c, globs in policy.class_globs.items()},
    )
    _write(path, blob, hp)
    return hp


def _read(path: str, blob: str) -> HookPolicy | None:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc["v"] != _VERSION or doc["blob"] != blob:
            return None
        protected = tuple(doc["protected"])
        classes = {str(k): tuple(v) for k, v in doc["classes"].items()}
        if not all(
            isinstance(p, str) for p in (*protected, *(g for v in classes.values() for g in v))
        ):
            return None
        return HookPolicy(protected, classes)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write(path: str, blob: str, hp: HookPolicy) -> None:
    """Atomically, and only into the directory `signoff hook install` made."""
    if not os.path.isdir(os.path.dirname(path)):
        return
    doc = {"v": _VERSION, "blob": blob, "protected": list(hp.protected),
           "classes": {k: list(v) for k, v in hp.class_globs.items()}}  # fmt: skip
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def protected_and_classes(
    git: Git, repo: str
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Protected patterns (built-in, the policy's, the default branch) and class globs."""
    branch = default_branch(repo)
    hp = load(git, repo, branch)
    return protected_patterns(hp.protected, branch), hp.class_globs
