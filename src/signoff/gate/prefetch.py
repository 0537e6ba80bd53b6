"""`signoff check` starts its git work before the CLI framework loads.

Importing click and the command modules takes about 40 ms, and git's walk of a long range is the
longest part of a check. So when a command line starts with `check`, `signoff.cli.main` hands it
to `start` first, which reads only the repository, base and head, with a deliberately narrow
parser, and begins `signoff.gate.start.RangeStart` right away. click then parses the command
line as always, and the command passes what `take` returns to `run_check`, which uses it only
when it was started for exactly the repository and refs click found, and closes it otherwise.

On any doubt (an argument this parser does not know, `--help`, a failure while starting) nothing
is started and the check does all its work itself, as it would have anyway: this only ever saves
time, it never decides anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signoff.gate.start import RangeStart

#: Options of `signoff check` that take a value (a test keeps this in step with the command).
VALUED = frozenset(
    {
        "--repo",
        "--base",
        "--head",
        "--target-branch",
        "--policy",
        "--format",
        "--output",
        "-o",
        "--report",
        "--ledger",
        "--approvals-ref",
        "--server",
        "--token",
        "--server-repo",
    }
)

_started: RangeStart | None = None


def refs(args: Sequence[str]) -> tuple[str, str, str] | None:
    """(repository, base, head) of `check` arguments as click will read them, or None when
    this parser is not sure: then nothing is started."""
    given: dict[str, str] = {}
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name not in VALUED or (eq and not name.startswith("--")):
            return None  # a flag, --help, a positional argument, or a short option with "="
        if not eq:
            i += 1
            if i == len(args):
                return None
            value = args[i]
        given[name] = value
        i += 1
    base = given.get("--base") or os.environ.get("SIGNOFF_BASE")
    if not base:
        branch = os.environ.get("GITHUB_BASE_REF")
        if not branch:
            return None
        base = f"origin/{branch}"
    return given.get("--repo", "."), base, given.get("--head", "HEAD")


def start(args: Sequence[str]) -> None:
    """Begin the gate's git work for these `check` arguments, when they are plain enough."""
    global _started
    discard()
    found = refs(args)
    if found is None:
        return
    from signoff.gate.start import RangeStart

    try:
        _started = RangeStart(*found)
    except Exception:  # the check redoes this work and reports any failure itself
        _started = None


def take() -> RangeStart | None:
    """What `start` began (the caller now owns it and must close it), or None."""
    global _started
    started, _started = _started, None
    return started


def discard() -> None:
    """Stop what `start` began, if nobody took it."""
    started = take()
    if started is not None:
        started.close()
