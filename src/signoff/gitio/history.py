"""Refs, merge bases, what a range lands, and objects, each in one git call.

`read_landed` runs a single `git diff -z --raw --numstat -M` between the merge base and the head;
blobs come from one `git cat-file --batch`. The commits of a range are read by
`signoff.gitio.rangelog`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from signoff.changes import FileChange, Status
from signoff.errors import GitError
from signoff.gitio.refs import resolve
from signoff.gitio.runner import Git

_STATUS = {s.value: s for s in Status}


def _dec(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def resolve_commit(git: Git, ref: str, *, role: str, tags: bool = False) -> str:
    """The full SHA a ref names, resolved as `signoff.gitio.refs.resolve` does (never by git's
    guessing rules); `tags`: a short name may name a tag (a release range), when nothing else
    has that name."""
    found, _ = resolve(git, {role: ref}, tags=tags)
    return found[role].sha


def merge_base(git: Git, base: str, head: str) -> str:
    """Where the range forks from the base (what the head lands is measured from here), or a
    clear error, with a fetch hint when the clone is shallow."""
    out = git.run(["merge-base", base, head], check=False).strip()
    if not out:
        shallow = git.run(["rev-parse", "--is-shallow-repository"]).strip() == b"true"
        raise GitError(
            f"{base[:12]} and {head[:12]} have no common history",
            hint="the clone is shallow: run `git fetch --unshallow`" if shallow else None,
        )
    return out.decode()


def merge_result(git: Git, base: str, head: str) -> str:
    """The tree that merging `head` into `base` gives, computed as git merges (`git merge-tree
    --write-tree`: several merge bases are merged first, as `git merge` does). A head that does
    not merge cleanly is refused: what would land is then a person's conflict resolution."""
    try:
        out = git.run(["merge-tree", "--write-tree", "--no-messages", base, head])
    except GitError:
        raise GitError(
            f"{head[:12]} does not merge cleanly into {base[:12]}: what it would land is not known",
            hint="merge or rebase the base into the head, then check again",
        ) from None
    tree = out.split(b"\n", 1)[0].decode("ascii", "replace")
    if not SHA.fullmatch(tree):
        raise GitError("unexpected output from git merge-tree (refusing to guess)")
    return tree


SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  #: a full SHA-1 or SHA-256 object id


def _entry(fields: list[bytes], paths: list[str]) -> FileChange:
    """One raw diff entry (its space-separated fields) with its path(s)."""
    meta = b" ".join(fields).decode("ascii", "replace").lstrip(":").split(" ")
    colons = len(fields[0]) - len(fields[0].lstrip(b":"))
    n = colons + 1
    if len(meta) != 2 * n + 1:
        raise GitError("unexpected raw diff entry from git (refusing to guess)")
    status = meta[-1]
    if colons > 1:
        # A merge's combined entry: the path differs from every parent. Status per parent.
        letter = "A" if all(c == "A" for c in status) else "D" if meta[n - 1] == "000000" else "M"
        return FileChange(
            _STATUS[letter], paths[0], paths[0], meta[0], meta[n - 1], meta[n], meta[2 * n - 1]
        )
    return FileChange(
        _STATUS.get(status[:1], Status.UNKNOWN), paths[0], paths[-1], meta[0], meta[1], meta[2],
        meta[3], int(status[1:]) if status[1:].isdigit() else None,
    )  # fmt: skip


def parse_entry(token: bytes, paths: list[str]) -> FileChange:
    """A raw diff entry token (`:100644 100644 <old> <new> M`, or a merge's `::...`)."""
    return _entry(token.split(b" "), paths)


def _raw_entry(tok: bytes, it: Iterator[bytes]) -> FileChange:
    """Parse one `--raw` entry, taking its paths from `it` (used for `git diff` output)."""
    fields = tok.split(b" ")
    single = tok[1:2] != b":"
    count = 2 if single and fields[-1][:1] in (b"R", b"C") else 1
    return _entry(fields, [_dec(next(it, b"")) for _ in range(count)])


def read_landed(git: Git, base: str, head: str) -> list[FileChange]:
    """What head lands on base, per file, with renames detected and binary files marked."""
    args = [
        "diff",
        "-z",
        "--raw",
        "--numstat",
        "-M",
        "--no-abbrev",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--ignore-submodules=none",
        base,
        head,
        "--",
    ]
    it = iter(git.stream_tokens(args))
    changes: list[FileChange] = []
    binary: dict[tuple[str, str], bool] = {}
    for token in it:
        if not token:
            continue
        if token.startswith(b":"):
            changes.append(_raw_entry(token, it))
            continue
        added, deleted, path = token.split(b"\t", 2)
        is_bin = added == b"-" and deleted == b"-"
        if path:
            key = (_dec(path), _dec(path))
        else:
            old, new = _dec(next(it, b"")), _dec(next(it, b""))
            key = (old, new)
        binary[key] = is_bin
    out = []
    for ch in changes:
        key = (ch.old_path, ch.new_path) if ch.is_rename else (ch.path, ch.path)
        out.append(_with_binary(ch, binary.get(key)))
    return out


def _with_binary(ch: FileChange, is_bin: bool | None) -> FileChange:
    return FileChange(
        ch.status,
        ch.old_path,
        ch.new_path,
        ch.old_mode,
        ch.new_mode,
        ch.old_blob,
        ch.new_blob,
        ch.score,
        is_bin,
    )


def object_sizes(git: Git, specs: Iterable[str]) -> dict[str, int | None]:
    """Each object's size in bytes (None when missing), from one `cat-file --batch-check`,
    without reading any content."""
    wanted = list(dict.fromkeys(s for s in specs if s and "\n" not in s))
    if not wanted:
        return {}
    out = git.run(["cat-file", "--batch-check"], input=("\n".join(wanted) + "\n").encode())
    lines = out.split(b"\n")
    if len(lines) < len(wanted):
        raise GitError("truncated output from git cat-file (refusing to guess)")
    sizes: dict[str, int | None] = {}
    for spec, line in zip(wanted, lines, strict=False):
        fields = line.split(b" ")
        sizes[spec] = int(fields[2]) if len(fields) == 3 and fields[2].isdigit() else None
    return sizes


def read_objects_upto(
    git: Git,
    specs: Iterable[str],
    limit: int,
    on_sizes: Callable[[dict[str, int]], object] | None = None,
) -> tuple[dict[str, bytes | None], dict[str, int]]:
    """(contents, sizes of the objects over `limit`): the sizes are checked first, and an
    object larger than `limit` is never read (a 100 MB lockfile stays in git). `on_sizes` hears
    the size of each object about to be read, before it is."""
    sizes = object_sizes(git, specs)
    large = {spec: size for spec, size in sizes.items() if size is not None and size > limit}
    if on_sizes is not None:
        on_sizes({spec: size for spec, size in sizes.items() if size is not None and size <= limit})
    contents = read_objects(git, [spec for spec in sizes if spec not in large])
    return contents, large


def read_objects(git: Git, specs: Iterable[str]) -> dict[str, bytes | None]:
    """Read many objects (`sha` or `rev:path`) with one `cat-file --batch`; None when missing."""
    wanted = list(dict.fromkeys(s for s in specs if s and "\n" not in s))
    if not wanted:
        return {}
    out = git.run(["cat-file", "--batch"], input=("\n".join(wanted) + "\n").encode())
    result: dict[str, bytes | None] = {}
    pos = 0
    for spec in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if header[-1] in (b"missing", b"ambiguous"):
            result[spec] = None
            continue
        size = int(header[2])
        result[spec] = out[pos : pos + size]
        pos += size + 1
    return result
