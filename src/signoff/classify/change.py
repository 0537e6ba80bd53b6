"""The class of one file change: its path's class, adjusted for what the change does (fail closed).

Rules, applied in this order, each only ever raising the class:

- Markdown shaped like an agent's instructions (`signoff.classify.docs.agent_shaped`: in a
  top-level dot-folder no rule knows, or an all-caps root name that is no usual prose name):
  at least `unknown`, never docs.
- the content the change lands, when the caller read it: the class that content shows
  (`signoff.classify.content`: a workflow that publishes, a script that tags, an agent's front
  matter or config), if riskier.

- rename or copy: the riskier class of the old and new path (moving a workflow into docs/ is
  still a workflow change; moving code into .github/workflows/ is a workflow change).
- type change (`T`, e.g. file ↔ symlink): the riskier of both sides, and at least `unknown`.
- symlink: the riskier of the link's own class and its target's class. The target (the link's
  content) is resolved against the link's folder with posix normalisation; a target that is
  missing (None), empty, absolute, contains NUL, or climbs out of the repository is `unknown`.
- a file a symlink in the head tree points to (or sits in a folder a symlink points to): the
  riskier of its class and the class of every link path it is read at (`aliases`): changing
  `guide/ai.md` changes what `AGENTS.md -> guide/ai.md` says.
- a file whose format an analyzer reads as a dependency manifest or lockfile (`read_as`, e.g.
  `site/doc-requirements.txt`): at least that class, whatever folder it sits in.
- a file a CI pipeline runs, at its path, its old path or a link path (`run_by`,
  `signoff.classify.runs`): at least the pipeline's class (`ci-workflow`, or
  `signing-publishing` when the pipeline publishes).
- submodule (gitlink): at least `dependency-manifest`: it pins third-party code.
- the file became executable: at least `unknown` (high); a file executable in the head tree that
  is classed docs, release notes or version: likewise (nobody runs prose).
- binary content (`change.binary is True`): at least `unknown`: nothing can review it as text.
  `binary is None` is read as "not binary": the gate always sets it for added and modified files,
  and for a deletion it does not matter. Callers that cannot tell should pass `True`.
- an unmerged (`U`) or unknown (`X`) status: at least `unknown`.

"At least X" raises a lower-risk class to X, and replaces `unknown` by X (a known class of the
same risk says more); it never lowers a class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from signoff.changes import MODE_EXEC, MODE_GITLINK, MODE_SYMLINK, FileChange, Status
from signoff.classify import PathClass, classify_path
from signoff.classify.content import classify_content
from signoff.classify.docs import agent_shaped
from signoff.classify.runs import RunBy
from signoff.taxonomy import RISK, FileClass, Risk, riskier

__all__ = ["ChangeClass", "classify_change", "resolve_symlink"]

_UNKNOWN = FileClass.UNKNOWN
#: Classes of text nobody runs: an executable file in one of them is at least `unknown`.
_PROSE_CLASSES = frozenset({FileClass.DOCS, FileClass.RELEASE_NOTES, FileClass.VERSION})


class ChangeClass(NamedTuple):
    """A change's class; `adjustments` says in plain words why it differs from the path's class."""

    file_class: FileClass
    risk: Risk
    path_class: PathClass
    old_path_class: PathClass | None
    adjustments: tuple[str, ...]


def resolve_symlink(link_path: str, target: str | None) -> str | None:
    """The repo-relative path a symlink points at; None if not pinned to a path inside the repo."""
    if not target or target.startswith("/") or "\x00" in target:
        return None
    parts: list[str] = link_path.split("/")[:-1]
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None  # climbs out of the repository
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None  # the repository root itself is no single class


def _at_least(cls: FileClass, floor: FileClass) -> FileClass:
    return floor if RISK[cls] < RISK[floor] or cls is _UNKNOWN else cls


def classify_change(
    change: FileChange,
    extra: Mapping[FileClass, Sequence[str]] | None = None,
    symlink_target: str | None = None,
    content: bytes | None = None,
    aliases: Sequence[str] = (),
    read_as: tuple[FileClass, str] | None = None,
    run_by: RunBy | None = None,
) -> ChangeClass:
    """Classify a change. `symlink_target` is the link's content (new side; old side if deleted);
    `content` the new side's content, when the caller read it (`signoff.classify.content`);
    `aliases` the link paths the file is read at; `read_as` (class, analyzer) of its format;
    `run_by` the class a CI pipeline that runs it (or its old or link paths) gives it."""
    path_class = classify_path(change.path, extra)
    cls = path_class.file_class
    notes: list[str] = []

    def raise_to(new: FileClass, why: str) -> None:
        nonlocal cls
        if new is not cls:
            notes.append(f"{why}: {cls} → {new}")
            cls = new
        else:
            notes.append(f"{why}: stays {cls}")

    if cls is FileClass.DOCS:
        shaped = agent_shaped(change.path)
        if shaped:
            raise_to(_UNKNOWN, f"{shaped}: shaped like an agent's instructions, not docs")
    if content is not None and change.new_mode not in (MODE_SYMLINK, MODE_GITLINK):
        shown, why = classify_content(change.path, cls, content)
        if why:
            raise_to(riskier(cls, shown), f"content: {why}")
    old_path_class: PathClass | None = None
    if change.old_path and change.status in (
        Status.RENAMED,
        Status.COPIED,
        Status.DELETED,
        Status.TYPE_CHANGED,
    ):
        old_path_class = (
            path_class if change.old_path == change.path else classify_path(change.old_path, extra)
        )
    if change.is_rename and old_path_class is not None:
        old_cls = old_path_class.file_class
        if old_cls is not cls:
            verb = "renamed" if change.status is Status.RENAMED else "copied"
            raise_to(
                riskier(cls, old_cls),
                f"{verb} from `{change.old_path}` ({old_cls}): takes the riskier class",
            )
    if change.status is Status.TYPE_CHANGED:
        both = cls if old_path_class is None else riskier(cls, old_path_class.file_class)
        raise_to(_at_least(both, _UNKNOWN), "file type changed (e.g. file ↔ symlink)")
    if MODE_SYMLINK in (change.old_mode, change.new_mode):
        resolved = resolve_symlink(change.path, symlink_target)
        if resolved is None:
            raise_to(
                riskier(cls, _UNKNOWN),
                f"symlink target {symlink_target!r} is missing, absolute or outside the repository",
            )
        else:
            target_cls = classify_path(resolved, extra).file_class
            raise_to(riskier(cls, target_cls), f"symlink to `{resolved}` ({target_cls})")
    for alias in aliases:
        alias_cls = classify_path(alias, extra).file_class
        if riskier(cls, alias_cls) is not cls:
            raise_to(riskier(cls, alias_cls), f"read as `{alias}` through a symlink ({alias_cls})")
    for floor, why, always in _floors(change, read_as, run_by):
        if floor is None:  # executable: only prose is raised
            if cls in _PROSE_CLASSES:
                raise_to(_at_least(cls, _UNKNOWN), why)
        elif always or _at_least(cls, floor) is not cls:
            raise_to(_at_least(cls, floor), why)
    return ChangeClass(cls, RISK[cls], path_class, old_path_class, tuple(notes))


def _floors(
    change: FileChange, read_as: tuple[FileClass, str] | None, run_by: RunBy | None
) -> list[tuple[FileClass | None, str, bool]]:
    """The "at least" rules that hold for this change, in order: (class, why, said even when
    the class stays); None stands for `unknown` when the class is prose."""
    out: list[tuple[FileClass | None, str, bool]] = []
    if read_as is not None:
        out.append((read_as[0], f"read as {read_as[1]}", False))
    if run_by is not None:
        out.append((run_by.file_class, run_by.why, False))
    if change.is_submodule:
        out.append((FileClass.DEPENDENCY_MANIFEST, "submodule (pins third-party code)", True))
    if change.became_executable:
        out.append((_UNKNOWN, "became executable", True))
    elif change.new_mode == MODE_EXEC:
        out.append((None, "executable, yet classed as prose", True))
    if change.binary is True:
        out.append((_UNKNOWN, "binary content cannot be reviewed as text", True))
    if change.status in (Status.UNMERGED, Status.UNKNOWN):
        out.append((_UNKNOWN, f"git reported status {change.status.value}", True))
    return out
