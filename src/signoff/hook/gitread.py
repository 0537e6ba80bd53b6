"""What a pre-receive hook reads from git, in as few processes as possible.

- the ref updates (`<old> <new> <ref>` lines on stdin) and the push options
  (`GIT_PUSH_OPTION_COUNT` / `GIT_PUSH_OPTION_<n>`), both bounded: an oversized push is refused;
- every commit the push adds and the files each changes: ONE `git log` (the range reader,
  `signoff.gitio.rangelog`) over the new tips `--not --all` (in pre-receive the quarantine
  environment makes the pushed objects visible and `--all` is the refs before the push); without
  rename detection, a rename is a delete plus an add, so both paths are checked;
- the targets of new symlinks: ONE `git cat-file --batch`;
- that git checks the pushed objects itself (`receive.fsckObjects`, none of the checks that
  keep `.git`, `..` and other dangerous names out of trees downgraded): ONE `git config`.
"""

from __future__ import annotations

from collections.abc import Mapping

from signoff.broker.enforce import RefUpdate, Touch
from signoff.broker.errors import BrokerError
from signoff.changes import MODE_SYMLINK
from signoff.gitio.history import read_objects
from signoff.gitio.rangelog import read_all
from signoff.gitio.runner import Git

MAX_UPDATES = 1000
MAX_OPTIONS = 16
MAX_OPTION_BYTES = 8192
_HEX = frozenset("0123456789abcdef")


def read_updates(text: str) -> list[RefUpdate]:
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split(" ")
        if (
            len(parts) != 3
            or not all(len(p) in (40, 64) and set(p) <= _HEX for p in parts[:2])
            or not parts[2].startswith("refs/")
        ):
            raise BrokerError(f"malformed ref update line {line[:120]!r}", code="malformed")
        out.append(RefUpdate(parts[0], parts[1], parts[2]))
        if len(out) > MAX_UPDATES:
            raise BrokerError(f"more than {MAX_UPDATES} ref updates in one push", code="malformed")
    return out


def push_options(env: Mapping[str, str]) -> dict[str, str]:
    """`key=value` push options; too many or too large is refused, never truncated."""
    raw = env.get("GIT_PUSH_OPTION_COUNT")
    if raw is None:
        return {}
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_OPTIONS:  # "²".isdigit()
        raise BrokerError(f"too many push options (at most {MAX_OPTIONS})", code="malformed")
    out: dict[str, str] = {}
    for i in range(int(raw)):
        value = env.get(f"GIT_PUSH_OPTION_{i}", "")
        if len(value.encode("utf-8", "surrogateescape")) > MAX_OPTION_BYTES:
            raise BrokerError(f"push option {i} is over {MAX_OPTION_BYTES} bytes", code="malformed")
        key, sep, val = value.partition("=")
        if sep and key in out:
            raise BrokerError(f"push option {key} given twice", code="malformed")
        if sep:
            out[key] = val
    return out


def new_touches(git: Git, updates: list[RefUpdate]) -> tuple[list[str], list[Touch]]:
    """(new commit ids, newest first; one Touch per file change of each)."""
    tips = sorted({u.new for u in updates if not u.is_delete})
    if not tips:
        return [], []
    commits: list[str] = []
    touches: list[Touch] = []
    # One read of the whole output (a push's log is what the pusher just sent): no streaming
    # machinery (temporary files) for the hook to load.
    for c in read_all(git, [*tips, "--not", "--all"], options=["--root"]):
        commits.append(c.sha)
        touches.extend(Touch(c.sha, f) for f in c.changes())
    links = [t.change.new_blob for t in touches if t.change.new_mode == MODE_SYMLINK]
    if links:
        blobs = read_objects(git, links)
        touches = [
            t._replace(symlink_target=_target(blobs.get(t.change.new_blob)))
            if t.change.new_mode == MODE_SYMLINK
            else t
            for t in touches
        ]
    return commits, touches


def _target(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", "surrogateescape") if raw is not None else None


#: git's object checks (fsck message ids, lower case) that keep dangerous names and modes out of
#: pushed trees: `.git` in any case or NTFS/HFS spelling, `.` and `..`, empty names, slashes,
#: duplicate entries, bad modes, and `.gitmodules`/`.gitattributes` tricks.
GUARDED_CHECKS = frozenset({
    "hasdot", "hasdotdot", "hasdotgit", "fullpathname", "emptyname", "duplicateentries",
    "badfilemode", "badtree", "gitmodulesblob", "gitmodulesname", "gitmodulespath",
    "gitmodulessymlink", "gitmodulesupdate", "gitmodulesurl", "gitattributessymlink",
})  # fmt: skip
_TRUE = ("", "true", "yes", "on", "1")


def fsck_problems(git: Git) -> list[str]:
    """Why git may have let a dangerous tree in (empty: it checks every pushed object)."""
    out = git.run(
        ["config", "-z", "--get-regexp", r"^(receive|transfer)\.fsckobjects$|^(receive\.)?fsck\."],
        check=False,
    )
    enabled: dict[str, bool] = {}
    weakened: list[str] = []
    for item in out.decode("utf-8", "replace").split("\0"):
        key, _, value = item.partition("\n")
        if key in ("receive.fsckobjects", "transfer.fsckobjects"):
            enabled[key] = value.strip().lower() in _TRUE
        elif key.rpartition(".")[2] in GUARDED_CHECKS and value.strip().lower() in (
            "warn",
            "ignore",
        ):
            weakened.append(f"{key}={value.strip()}")
    on = enabled.get("receive.fsckobjects", enabled.get("transfer.fsckobjects", False))
    problems = []
    if not on:
        problems.append(
            "git does not check pushed objects here (receive.fsckObjects is off): run "
            "`signoff hook install` again, or `git config receive.fsckObjects true`"
        )
    if weakened:
        problems.append(
            f"git's object checks are weakened ({', '.join(sorted(weakened))}): trees with "
            "`.git` or `..` entries could land; remove those settings"
        )
    return problems
