"""The symlinks of a tree, and which link paths read a given file (docs/classes.md).

A change to `guide/ai.md` is a change to `AGENTS.md` when the head tree holds
`AGENTS.md -> guide/ai.md`: whoever reads the link reads the file. One `ls-tree -r` of the
landed tree and one `cat-file --batch` for the link targets, only when a change lands.
"""

from __future__ import annotations

from collections.abc import Iterable

from signoff.changes import MODE_SYMLINK
from signoff.classify.change import resolve_symlink
from signoff.gitio.history import read_objects
from signoff.gitio.runner import Git

#: Targets longer than this are no path (git's own limit on a path is about 4 KiB).
_MAX_TARGET = 4096


def tree_links(git: Git, tree: str) -> dict[str, str | None]:
    """link path -> the repo path it resolves to (None: outside the repository or unreadable)."""
    raw = git.run(["ls-tree", "-r", "-z", "--full-tree", tree])
    links: dict[str, str] = {}
    for entry in raw.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if meta.startswith(MODE_SYMLINK.encode() + b" "):
            links[path.decode("utf-8", "surrogateescape")] = meta.split(b" ")[2].decode()
    if not links:
        return {}
    blobs = read_objects(git, links.values())
    out: dict[str, str | None] = {}
    for link, blob in links.items():
        target = blobs.get(blob)
        text = target.decode("utf-8", "surrogateescape") if target is not None else None
        ok = text is not None and len(text) <= _MAX_TARGET
        out[link] = resolve_symlink(link, text) if ok else None
    return out


#: Links followed from a file to the paths it is read at: a chain longer than this is cut.
MAX_HOPS = 8


def aliases(links: dict[str, str | None], paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Per path, the paths it is also read at through a link to it or to a folder holding it,
    following links to links (up to `MAX_HOPS`)."""
    out: dict[str, tuple[str, ...]] = {}
    for path in paths:
        seen: set[str] = set()
        frontier = [path]
        for _ in range(MAX_HOPS):
            found = (
                {
                    link + p[len(target) :]
                    for p in frontier
                    for link, target in links.items()
                    if target is not None and (p == target or p.startswith(target + "/"))
                }
                - seen
                - {path}
            )
            if not found:
                break
            seen |= found
            frontier = sorted(found)
        if seen:
            out[path] = tuple(sorted(seen))
    return out
