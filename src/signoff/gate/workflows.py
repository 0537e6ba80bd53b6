"""The pipelines and package manifests that say which files CI runs (`signoff.classify.runs`).

Read from the base ref, which the change cannot edit: its workflows and `.github/actions/` (one
`ls-tree`), their blobs and the root `package.json` (one `cat-file --batch`), then what they call
that was not read yet (package manifests of the folders they run package scripts in, local
actions elsewhere: one more `cat-file` per round, `ROUNDS` at most). The pipelines and manifests
a change lands are added from the head (`head_sources`): they can only make more files run, and
at a riskier class, never fewer or lower. The identities the base ref's workflows commit as
(`committers`) are automation to the attribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from signoff.attribution.automation import workflow_identities
from signoff.changes import NULL_SHA, FileChange
from signoff.classify.runs import Source, is_pipeline, is_run_source, needed
from signoff.gitio.history import read_objects
from signoff.gitio.runner import Git

#: Rounds of reading what the pipelines call (a local action calling a local action, ...).
ROUNDS = 4
_FOLDERS = (".github/workflows", ".github/actions")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def base_sources(git: Git, rev: str) -> list[Source]:
    """The pipelines at `rev` and the package manifests they run scripts of."""
    raw = git.run(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *_FOLDERS])
    paths = ["package.json"]
    for entry in raw.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        path = _text(name)
        if meta.startswith((b"100644 ", b"100755 ")) and is_pipeline(path):
            paths.append(path)
    return complete(git, rev, _read(git, rev, paths, "base"), "base")


def complete(git: Git, rev: str, sources: list[Source], side: str) -> list[Source]:
    """`sources` with what their pipelines call read at `rev` (see the module docstring)."""
    have = {s.path for s in sources}
    for _ in range(ROUNDS):
        want = sorted(needed(sources) - have)
        if not want:
            break
        have.update(want)
        sources = sources + _read(git, rev, want, side)
    return sources


def _read(git: Git, rev: str, paths: Iterable[str], side: str) -> list[Source]:
    paths = list(paths)
    found = read_objects(git, [f"{rev}:{p}" for p in paths])
    return [Source(p, _text(b), side) for p in paths if (b := found.get(f"{rev}:{p}")) is not None]


def head_sources(
    landed: Iterable[FileChange], contents: Mapping[str, bytes | None]
) -> list[Source]:
    """The pipelines and package manifests the change lands, as the head has them."""
    out = []
    for ch in landed:
        if ch.new_blob == NULL_SHA or ch.is_symlink or ch.is_submodule:
            continue
        if is_run_source(ch.path) and (raw := contents.get(ch.new_blob)) is not None:
            out.append(Source(ch.path, _text(raw), "head"))
    return out


def committers(sources: Iterable[Source]) -> dict[str, str]:
    """The addresses the base ref's workflows commit as (`signoff.attribution.automation`)."""
    return workflow_identities((s.path, s.text) for s in sources if is_pipeline(s.path))
