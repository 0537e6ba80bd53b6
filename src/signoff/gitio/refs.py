"""Refs resolved to exactly one thing, never by git's guessing rules.

`git rev-parse main` tries `refs/main`, `refs/tags/main`, `refs/heads/main` and
`refs/remotes/main`, in that order, and takes the first that exists: whoever can create a tag
named `main` (or `origin/main`) would pick the commit whose policy the gate trusts. So a name is
resolved here to one full ref, or refused:

- a full SHA (40 or 64 hex digits) names that commit;
- a full ref name (`refs/...`) names that ref, exactly;
- `HEAD` names the checkout's HEAD;
- any other name must match exactly one of `refs/heads/<name>` and `refs/remotes/<name>` (or
  `refs/remotes/<name>/HEAD`, a remote's default branch) and no other ref git would consider
  (`refs/<name>`, `refs/tags/<name>`): otherwise it is ambiguous, and refused.

Every name a caller writes (a CLI flag, an API field, a push's ref) is checked against git's
ref-name rules first (`check_revision`: a full object id or a name `git check-ref-format
--allow-onelevel` accepts, never starting with `-`), so nothing that reaches git from here can be
read as an option or a revision expression (`..`, `^`, `~`, `@{`, `:`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from signoff.errors import GitError
from signoff.gitio.runner import Git

#: A full SHA-1 (40) or SHA-256 (64) object id, lower case.
FULL_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
#: Longest ref name accepted (git has no hard limit; no real ref comes near this).
MAX_REF = 255
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def is_full_sha(text: str) -> bool:
    return FULL_SHA.fullmatch(text) is not None


def ref_name_problem(name: str) -> str | None:
    """Why `name` is not a ref name `git check-ref-format --allow-onelevel` accepts (None: it
    is), with a leading `-` refused as well (git would read it as an option)."""
    if not name:
        return "is empty"
    if len(name) > MAX_REF:
        return f"is longer than {MAX_REF} characters"
    if name.startswith("-"):
        return "starts with '-'"
    if bad := _FORBIDDEN.search(name):
        return f"contains {bad.group()!r}"
    if name == "@" or "@{" in name:
        return "contains '@{' or is '@'"
    if ".." in name:
        return "contains '..'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "has an empty path component"
    if name.endswith("."):
        return "ends with '.'"
    for part in name.split("/"):
        if part.startswith("."):
            return "has a component starting with '.'"
        if part.endswith(".lock"):
            return "has a component ending with '.lock'"
    return None


def check_revision(text: str, *, role: str = "ref") -> str:
    """`text` when it is a full object id or a valid ref name; a `GitError` naming `role`
    otherwise (the message quotes at most 80 characters of the input)."""
    if is_full_sha(text):
        return text
    why = ref_name_problem(text)
    if why is not None:
        raise GitError(
            f"{role} {text[:80]!r} is not a commit id or ref name: it {why}",
            hint="revision expressions (main~1, HEAD^) and abbreviated SHAs are not accepted",
        )
    return text


class Resolved(NamedTuple):
    sha: str  #: the commit
    ref: str  #: the full ref name used, or the SHA itself when a SHA was given


def resolve(
    git: Git, names: dict[str, str], *, tags: bool = False
) -> tuple[dict[str, Resolved], str]:
    """Each role's name (e.g. {"base": "origin/main", "head": "HEAD"}) resolved to one commit
    and the full ref it was read from, and the repository's git directory (absolute);
    `GitError` (one line) for an unknown or ambiguous name, or no repository. `tags`: a short
    name may also name a tag (release ranges); the gate's base and head never do."""
    for role, name in names.items():
        check_revision(name, role=role)
    wanted: dict[str, list[str]] = {}
    for role, name in names.items():
        if name != "HEAD" and not FULL_SHA.fullmatch(name):
            wanted[role] = _candidates(name)
    found = _existing(git, [c for cands in wanted.values() for c in cands])
    chosen: dict[str, str] = {}
    for role, name in names.items():
        if role in wanted:
            if not any(c in found for c in wanted[role]):
                raise _unknown(git, role, name)
            present = [c for c in wanted[role] if c in found]
            chosen[role] = _choose(name, role, present, found, tags)
        else:
            chosen[role] = name
    shas, git_dir = _commits(git, chosen)
    return {role: Resolved(shas[role], chosen[role]) for role in names}, git_dir


def _candidates(name: str) -> list[str]:
    if name.startswith("refs/"):
        return [name]
    return [
        f"refs/{name}",
        f"refs/tags/{name}",
        f"refs/heads/{name}",
        f"refs/remotes/{name}",
        f"refs/remotes/{name}/HEAD",
    ]


def _existing(git: Git, refs: list[str]) -> dict[str, str]:
    """Which of these exact refs exist: ref -> the ref it points to when symbolic, else ""."""
    if not refs:
        return {}
    out = git.run(["for-each-ref", "--format=%(refname)%00%(symref)", *refs])
    exists: dict[str, str] = {}
    wanted = set(refs)
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        ref, _, target = line.partition("\0")
        if ref in wanted:  # for-each-ref also lists refs below a pattern: keep exact names
            exists[ref] = target
    return exists


def _unknown(git: Git, role: str, name: str) -> GitError:
    hint = "fetch it first (in CI: git fetch origin <branch>), or give a full commit SHA"
    if git.run(["rev-parse", "--is-shallow-repository"], check=False).strip() == b"true":
        hint = f"this is a shallow clone; fetch the {role} (git fetch origin <branch>) or run "
        hint += "`git fetch --unshallow`"
    return GitError(f"unknown {role} ref {name!r}", hint=hint)


def _choose(name: str, role: str, present: list[str], found: dict[str, str], tags: bool) -> str:
    if name.startswith("refs/"):
        return name
    kinds = (
        ("refs/heads/", "refs/remotes/", "refs/tags/") if tags else ("refs/heads/", "refs/remotes/")
    )
    branches = [r for r in present if r.startswith(kinds) and r != f"refs/{name}"]
    if len(present) > 1 or not branches:
        listed = ", ".join(present)
        what = "a branch or tag" if tags else "a branch"
        raise GitError(
            f"{role} {name!r} is ambiguous or not {what} ({listed})",
            hint="name it in full (refs/heads/..., refs/remotes/..., refs/tags/...) or give a "
            "commit SHA",
        )
    ref = branches[0]
    return found[ref] or ref  # a remote's HEAD stands for the branch it points to


def _commits(git: Git, chosen: dict[str, str]) -> tuple[dict[str, str], str]:
    """The commit each full ref, `HEAD` or SHA names, and the git directory, in one
    `git rev-parse`; only when that fails, one call per name, to say which."""
    # No name here can start with "-" (check_revision; git 2.39's rev-parse has no
    # --end-of-options): each is a full ref, HEAD or a full SHA.
    specs = [f"{ref}^{{commit}}" for ref in chosen.values()]
    args = ["rev-parse", "--absolute-git-dir", *specs]
    out = git.run(args, check=False).decode("utf-8", "surrogateescape").split("\n")
    shas = out[1 : 1 + len(specs)]
    if out[0].startswith("/") and len(shas) == len(specs) and all(map(FULL_SHA.fullmatch, shas)):
        return dict(zip(chosen, shas, strict=True)), out[0]
    if not git.ok(["rev-parse", "--git-dir"]):
        raise GitError(f"{git.repo} is not a git repository")
    for role, ref in chosen.items():
        got = git.run(["rev-parse", "--verify", f"{ref}^{{commit}}"], check=False)
        if not FULL_SHA.fullmatch(got.decode().strip()):
            hint = None
            if git.run(["rev-parse", "--is-shallow-repository"]).strip() == b"true":
                hint = f"this is a shallow clone; fetch the {role} or run `git fetch --unshallow`"
            raise GitError(f"{role} {ref!r} names no commit in this repository", hint=hint)
    raise GitError("unexpected output from git rev-parse (refusing to guess)")
