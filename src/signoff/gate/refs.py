"""Which branch a ref names: the target branch a change lands on decides branch-scoped rules."""

from __future__ import annotations

from signoff.gitio.runner import Git


def branch_of(full_ref: str | None) -> str | None:
    """The branch a full ref names (`refs/remotes/origin/main` -> `main`), if it names one."""
    if not full_ref:
        return None
    if full_ref.startswith("refs/heads/"):
        return full_ref.removeprefix("refs/heads/")
    if full_ref.startswith("refs/remotes/"):
        parts = full_ref.removeprefix("refs/remotes/").split("/", 1)
        return parts[1] if len(parts) == 2 else None
    return None


def target_from_ref(git: Git, ref: str) -> str | None:
    """The branch a ref names (`origin/main` -> `main`), when it names one."""
    if ref.startswith("-"):
        return None
    out = git.run(["rev-parse", "--symbolic-full-name", ref], check=False)
    return branch_of(out.decode("utf-8", "replace").strip())
