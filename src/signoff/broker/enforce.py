"""The push decision at the git server: may this token's task make these ref updates?

Pure: the hook (or any other enforcement point) gathers the ref updates, the new commits and the
file changes they make, and the protected patterns; this module decides, giving every reason a
push is refused (not just the first), each one line.

Rules for a push made with a task token (docs/tokens.md):

- the token's repository is this repository, and its actions include `push-branch`;
- every updated ref is a branch (`refs/heads/...`): tags and any other namespace are refused;
- no updated branch is protected (the default branch, `main`, `master`, `release/*`, and the
  policy's `protected_branches`); every one starts with the task's branch prefix and lies in the
  agent's registered branches. Creations, force pushes and deletions follow the same rules;
- every path a new commit changes (both sides of a rename, copy or delete) is in scope: inside the
  task's allowed paths and the agent's registered paths, outside the task's denied paths;
- a symlink counts as touching its target too (resolved as the gate resolves it: a target that is
  absolute or climbs out of the repository is refused); a submodule (gitlink) change counts as
  touching the submodule's path and is reported with its class.

Names that a case-insensitive checkout or git server (macOS, Windows) would alias are judged
by the alias too: a branch is protected when any case variant of it is (`refs/heads/MAIN` is
`main` there), and a path is denied when its folded form (case, Unicode NFC, trailing dots and
spaces of each component, as NTFS drops them) matches a folded denied pattern. Allow lists stay
exact, so folding can only refuse more. Tree entries such as `.git` or `..` never reach these
rules: git's own object checks (`receive.fsckObjects`) refuse them first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from signoff.broker.claims import TaskClaims
from signoff.broker.scope import ALWAYS_PROTECTED
from signoff.changes import MODE_GITLINK, MODE_SYMLINK, FileChange
from signoff.patterns.globs import match_any

ZERO = "0" * 40
MAX_REASONS = 20


class RefUpdate(NamedTuple):
    old: str
    new: str
    ref: str

    @property
    def is_delete(self) -> bool:
        return set(self.new) == {"0"}

    @property
    def is_create(self) -> bool:
        return set(self.old) == {"0"}


class Touch(NamedTuple):
    """One file change in one new commit; `symlink_target` is the link's content, if a link."""

    commit: str
    change: FileChange
    symlink_target: str | None = None


class PushVerdict(NamedTuple):
    """Whether a push may land, every reason it may not, and one code for the ledger
    (`scope` for these rules; the hook uses others for what it refuses itself)."""

    allowed: bool
    reasons: tuple[str, ...]
    code: str = "scope"

    def lines(self) -> list[str]:
        if self.allowed:
            return ["signoff: accepted"]
        out = [f"signoff: refused: {r}" for r in self.reasons[:MAX_REASONS]]
        if len(self.reasons) > MAX_REASONS:
            out.append(f"signoff: refused: ... and {len(self.reasons) - MAX_REASONS} more")
        return out


def fold(name: str) -> str:
    """`name` as a case- and normalization-insensitive filesystem sees it."""
    import unicodedata

    parts = unicodedata.normalize("NFC", name).casefold().split("/")
    return "/".join(p.rstrip(". ") or p for p in parts)


def protected_match(protected: Sequence[str], branch: str) -> str | None:
    """The protected pattern `branch` (or a case variant of it) matches, if any."""
    hit = match_any(protected, branch)
    if hit is None:
        folded = fold(branch)
        hit = next((p for p in protected if match_any([fold(p)], folded)), None)
    return hit


def protected_patterns(
    policy_protected: Iterable[str], default_branch: str | None
) -> tuple[str, ...]:
    pats = [*ALWAYS_PROTECTED, *policy_protected]
    if default_branch:
        pats.append(default_branch)
    return tuple(dict.fromkeys(pats))


def _ref_reasons(u: RefUpdate, claims: TaskClaims, protected: Sequence[str]) -> list[str]:
    verb = "delete" if u.is_delete else "create" if u.is_create else "update"
    if u.ref.startswith("refs/tags/"):
        return [f"{u.ref}: agents never create, move or delete tags"]
    if not u.ref.startswith("refs/heads/"):
        return [f"{u.ref}: agents may only push branches (refs/heads/...)"]
    branch = u.ref[len("refs/heads/") :]
    hit = protected_match(protected, branch)
    if hit is not None:
        return [f"{u.ref}: protected branch (`{hit}`): an agent may not {verb} it"]
    why = claims.scope.allows_branch(branch)
    return [f"{u.ref}: {why}"] if why else []


def _path_reasons(
    t: Touch, claims: TaskClaims, extra: Mapping[str, Sequence[str]] | None
) -> list[str]:
    ch = t.change
    short = t.commit[:12]
    out: list[str] = []
    paths = dict.fromkeys(p for p in (ch.old_path, ch.new_path) if p)
    for p in paths:
        why = _path_why(claims, p)
        if why:
            out.append(f"{short}: {why} (class {_class_of(t, extra)})")
    if ch.new_mode == MODE_SYMLINK:
        from signoff.classify.change import resolve_symlink

        target = resolve_symlink(ch.new_path, t.symlink_target)
        if target is None:
            out.append(f"{short}: symlink `{ch.new_path}` points outside the repository or nowhere")
        else:
            why = _path_why(claims, target)
            if why:
                out.append(f"{short}: symlink `{ch.new_path}` → {why}")
    if MODE_GITLINK in (ch.old_mode, ch.new_mode) and out:
        out.append(f"{short}: `{ch.path}` is a submodule (gitlink): it counts as that path")
    return out


def _path_why(claims: TaskClaims, path: str) -> str | None:
    """The grant's answer, then the denied patterns against the path's folded alias."""
    why = claims.scope.allows_path(path)
    if why is None and claims.scope.paths_deny:
        folded = fold(path)
        hit = next((d for d in claims.scope.paths_deny if match_any([fold(d)], folded)), None)
        if hit is not None:
            why = f"`{path}` matches the task's denied path `{hit}` on a case-insensitive checkout"
    return why


def _class_of(t: Touch, extra: Mapping[str, Sequence[str]] | None) -> str:
    """The file's class, for the reason only (classifiers load when a path is refused)."""
    from signoff.classify.change import classify_change
    from signoff.taxonomy import FileClass

    known = {c.value for c in FileClass}
    globs = {FileClass(k): v for k, v in (extra or {}).items() if k in known}
    return str(classify_change(t.change, globs, t.symlink_target).file_class)


def decide(
    claims: TaskClaims,
    repo: str,
    updates: Sequence[RefUpdate],
    touches: Iterable[Touch],
    protected: Sequence[str],
    extra: Mapping[str, Sequence[str]] | None = None,
) -> PushVerdict:
    """Allow the push only if every rule above holds; otherwise list why not."""
    reasons: list[str] = []
    if claims.scope.repo != repo:
        reasons.append(f"the token is for repository {claims.scope.repo}, not {repo}")
    if "push-branch" not in claims.scope.actions:
        reasons.append("the task does not grant push-branch")
    for u in updates:
        reasons.extend(_ref_reasons(u, claims, protected))
    for t in touches:
        reasons.extend(_path_reasons(t, claims, extra))
    return PushVerdict(not reasons, tuple(dict.fromkeys(reasons)))
