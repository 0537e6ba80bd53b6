"""Read a commit range and what it lands, each in one streaming git call.

`read_commits` runs a single `git log -z --raw -c` over the range (merges included, with the
paths a merge itself introduces); `read_landed` runs a single `git diff -z --raw --numstat -M`
between the merge base and the head. Blobs come from one `git cat-file --batch`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from signoff.changes import Commit, FileChange, Person, Signature, Status
from signoff.errors import GitError
from signoff.gitio.runner import Git

_FIELDS = ("%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%G?", "%GS", "%GK", "%GF", "%B")
LOG_FORMAT = "%x1e" + "%x00".join(_FIELDS)
_HEADER_TOKENS = len(_FIELDS)
_STATUS = {s.value: s for s in Status}


def _dec(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def resolve_commit(git: Git, ref: str, *, role: str) -> str:
    """The full SHA a ref names; a clear error (with a fetch hint when shallow) otherwise."""
    if not ref or ref.startswith("-") or "\0" in ref:
        raise GitError(f"{role} ref {ref!r} is not a valid revision")
    if not git.ok(["rev-parse", "--git-dir"]):
        raise GitError(f"{git.repo} is not a git repository")
    out = git.run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], check=False
    ).strip()
    if not out:
        hint = None
        if git.run(["rev-parse", "--is-shallow-repository"]).strip() == b"true":
            hint = (
                f"this is a shallow clone; fetch the {role} with "
                f"`git fetch --unshallow` or `git fetch origin {ref}`"
            )
        raise GitError(f"unknown {role} ref {ref!r}", hint=hint)
    return out.decode()


def merge_base(git: Git, base: str, head: str) -> str:
    """Where the range forks from the base: what the head lands is measured from here."""
    out = git.run(["merge-base", base, head], check=False).strip()
    if not out:
        shallow = git.run(["rev-parse", "--is-shallow-repository"]).strip() == b"true"
        raise GitError(
            f"{base[:12]} and {head[:12]} have no common history",
            hint="the clone is shallow: run `git fetch --unshallow`" if shallow else None,
        )
    return out.decode()


def read_commits(git: Git, base: str, head: str) -> list[Commit]:
    """Every commit in base..head, newest first, each with the paths it touched."""
    args = [
        "log",
        "-z",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "-c",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        f"--format={LOG_FORMAT}",
        f"{base}..{head}",
        "--",
    ]
    return list(_parse_log(git.stream_tokens(args)))


def _parse_log(tokens: Iterable[bytes]) -> Iterator[Commit]:
    it = iter(tokens)
    header: list[bytes] | None = None
    files: list[FileChange] = []
    for token in it:
        if token.startswith(b"\x1e"):
            if header is not None:
                yield _commit(header, files)
            header = [token[1:]]
            for _ in range(_HEADER_TOKENS - 1):
                header.append(next(it, b""))
            files = []
            continue
        tok = token.lstrip(b"\n")
        if not tok:
            continue
        if not tok.startswith(b":") or header is None:
            raise GitError("unexpected output from git log (refusing to guess)")
        files.append(_raw_entry(tok, it))
    if header is not None:
        yield _commit(header, files)


def _raw_entry(tok: bytes, it: Iterator[bytes]) -> FileChange:
    """Parse one `--raw` entry; combined (merge) entries start with one colon per parent."""
    colons = len(tok) - len(tok.lstrip(b":"))
    fields = tok[colons:].split(b" ")
    parents = colons
    modes = fields[: parents + 1]
    blobs = fields[parents + 1 : 2 * parents + 2]
    status = _text(fields[-1])
    paths = [_dec(next(it, b""))]
    if colons == 1 and status[:1] in ("R", "C"):
        paths.append(_dec(next(it, b"")))
    if len(modes) != parents + 1 or len(blobs) != parents + 1:
        raise GitError("unexpected raw diff entry from git (refusing to guess)")
    if colons > 1:
        # A merge's combined entry: the path differs from every parent. Status per parent.
        letter = "A" if all(s == "A" for s in status) else "D" if modes[-1] == b"000000" else "M"
        return FileChange(
            status=_STATUS[letter],
            old_path=paths[0],
            new_path=paths[0],
            old_mode=_text(modes[0]),
            new_mode=_text(modes[-1]),
            old_blob=_text(blobs[0]),
            new_blob=_text(blobs[-1]),
        )
    return FileChange(
        status=_STATUS.get(status[:1], Status.UNKNOWN),
        old_path=paths[0],
        new_path=paths[-1],
        old_mode=_text(modes[0]),
        new_mode=_text(modes[1]),
        old_blob=_text(blobs[0]),
        new_blob=_text(blobs[1]),
        score=int(status[1:]) if status[1:].isdigit() else None,
    )


def _commit(header: list[bytes], files: list[FileChange]) -> Commit:
    sha, parents, an, ae, at, cn, ce, ct, gst, gs, gk, gf, body = header
    sha_s = _text(sha)
    if len(sha_s) not in (40, 64) or any(c not in "0123456789abcdef" for c in sha_s):
        raise GitError("unexpected commit header from git log (refusing to guess)")
    return Commit(
        sha=sha_s,
        parents=tuple(_text(parents).split()),
        author=Person(_text(an), _text(ae), int(at or b"0")),
        committer=Person(_text(cn), _text(ce), int(ct or b"0")),
        message=_text(body),
        signature=Signature(_text(gst) or "N", _text(gs), _text(gk), _text(gf)),
        files=tuple(files),
    )


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
