"""Read a commit range and what it lands, each in one streaming git call.

`parse_log` reads `git log -z --raw` output with `LOG_FORMAT` into full commits (the hook and the
monitor; the gate's own range reader is `signoff.gitio.rangelog`); `read_landed` runs a single
`git diff -z --raw --numstat -M` between the merge base and the head. Blobs come from one
`git cat-file --batch`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from signoff.changes import Commit, FileChange, Person, Signature, Status
from signoff.errors import GitError
from signoff.gitio.runner import Git

# Header fields are newline-separated: git refuses newlines in names and e-mails, and the signer,
# key and fingerprint come from the allowed-signers file signoff wrote. The message (%B), which may
# hold anything but NUL, is its own NUL-terminated token.
_FIELDS = ("%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%G?", "%GS", "%GK", "%GF")
LOG_FORMAT = "%x1e" + "%n".join(_FIELDS) + "%x00%B"
_HEADER_FIELDS = len(_FIELDS)
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


@dataclass(frozen=True, slots=True)
class Range:
    base: str  # SHA
    head: str  # SHA
    base_full: str | None  # the base's full ref name (refs/heads/main), if it is a ref
    git_dir: str  # the repository's git directory, absolute


def resolve_range(git: Git, base_ref: str, head_ref: str) -> Range:
    """Both refs' commits, the base's full name and the git directory in one `git rev-parse`.

    Only when that fails do the per-ref calls run, to say precisely what is wrong.
    """
    if base_ref and head_ref and not base_ref.startswith("-") and not head_ref.startswith("-"):
        args = ["rev-parse", "--absolute-git-dir", f"{base_ref}^{{commit}}",
                f"{head_ref}^{{commit}}", "--symbolic-full-name", base_ref]  # fmt: skip
        out = git.run(args, check=False).decode("utf-8", "replace").split("\n")
        if len(out) >= 3 and out[0].startswith("/") and all(SHA.fullmatch(x) for x in out[1:3]):
            full = out[3].strip() if len(out) > 3 and out[3].startswith("refs/") else None
            return Range(out[1], out[2], full, out[0])
    base = resolve_commit(git, base_ref, role="base")
    head = resolve_commit(git, head_ref, role="head")
    return Range(base, head, None, git.run(["rev-parse", "--absolute-git-dir"]).decode().strip())


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


SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  #: a full SHA-1 or SHA-256 object id


def parse_log(tokens: Iterable[bytes]) -> Iterator[Commit]:
    """A small state machine over `git log -z --raw` tokens.

    Paths are consumed by count after each raw entry, so a path that looks like a header or a raw
    entry can never be mistaken for one. Anything unexpected is refused, never guessed.
    """
    header: list[bytes] = []
    files: list[FileChange] = []
    want_header = 0
    pending: list[bytes] | None = None  # raw entry waiting for its paths
    want_paths = 0
    paths: list[str] = []
    decoded: dict[bytes, str] = {}
    for token in tokens:
        if want_header:
            header.append(token)
            want_header -= 1
            continue
        if want_paths:
            path = decoded.get(token)
            if path is None:
                path = decoded[token] = token.decode("utf-8", "surrogateescape")
            paths.append(path)
            want_paths -= 1
            if not want_paths:
                assert pending is not None
                files.append(_entry(pending, paths))
                paths = []
            continue
        if token[:1] == b"\x1e":
            if header:
                yield _commit(header, files)
            header = token[1:].split(b"\n")
            files = []
            want_header = 1  # the message
            continue
        if token[:1] == b"\n":
            token = token.lstrip(b"\n")
        if not token:
            continue
        if token[:1] != b":" or not header:
            raise GitError("unexpected output from git log (refusing to guess)")
        pending = token.split(b" ")
        single = token[1:2] != b":"
        want_paths = 2 if single and pending[-1][:1] in (b"R", b"C") else 1
    if want_header or want_paths:
        raise GitError("truncated output from git log (refusing to guess)")
    if header:
        yield _commit(header, files)


def _entry(fields: list[bytes], paths: list[str]) -> FileChange:
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


def _raw_entry(tok: bytes, it: Iterator[bytes]) -> FileChange:
    """Parse one `--raw` entry, taking its paths from `it` (used for `git diff` output)."""
    fields = tok.split(b" ")
    single = tok[1:2] != b":"
    count = 2 if single and fields[-1][:1] in (b"R", b"C") else 1
    return _entry(fields, [_dec(next(it, b"")) for _ in range(count)])


def _commit(header: list[bytes], files: list[FileChange]) -> Commit:
    if len(header) != _HEADER_FIELDS + 1:
        raise GitError("unexpected commit header from git log (refusing to guess)")
    sha, parents, an, ae, at, cn, ce, ct, gst, gs, gk, gf, body = header
    sha_s = sha.decode("ascii", "replace")
    if not SHA.fullmatch(sha_s):
        raise GitError("unexpected commit header from git log (refusing to guess)")
    return Commit(
        sha=sha_s,
        parents=tuple(parents.decode().split()),
        author=Person(an.decode("utf-8", "replace"), ae.decode("utf-8", "replace"), int(at or 0)),
        committer=Person(cn.decode("utf-8", "replace"), ce.decode("utf-8", "replace"),
                         int(ct or 0)),
        message=body.decode("utf-8", "replace"),
        signature=signature_of(gst, gs, gk, gf),
        files=tuple(files),
    )  # fmt: skip


_NO_SIGNATURE = Signature("N")


def signature_of(status: bytes, signer: bytes, key: bytes, fingerprint: bytes) -> Signature:
    """What `%G?`, `%GS`, `%GK` and `%GF` printed; a status that is not ASCII is refused."""
    if status == b"N":
        return _NO_SIGNATURE
    try:
        code = status.decode("ascii") or "N"
    except UnicodeDecodeError:
        raise GitError("unexpected signature status from git log (refusing to guess)") from None
    return Signature(code, _text(signer), _text(key), _text(fingerprint))


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
    git: Git, specs: Iterable[str], limit: int
) -> tuple[dict[str, bytes | None], dict[str, int]]:
    """(contents, sizes of the objects over `limit`): the sizes are checked first, and an
    object larger than `limit` is never read (a 100 MB lockfile stays in git)."""
    sizes = object_sizes(git, specs)
    large = {spec: size for spec, size in sizes.items() if size is not None and size > limit}
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
