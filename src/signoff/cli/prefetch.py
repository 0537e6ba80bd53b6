"""`signoff check` starts its git work before the CLI framework loads.

Importing click and the command modules takes about 40 ms, and git's walk of a long range is the
longest part of a check. So when a command line starts with `check`, `signoff.cli.main` calls
`start` first, which reads only the repository, base and head (with a deliberately narrow parser
over the same option table the command is built from, `signoff.cli.check_options`) and begins
`signoff.gate.start.RangeStart` right away. It returns the started work as a handle that the
entry point hands to click and closes at the end; the command passes it to the gate, which uses
it only when it was started for exactly the repository and refs click found, and closes it
otherwise.

On any doubt (an argument this parser does not know, `--help`, a failure while starting) nothing
is started and the check does all its work itself, as it would have anyway: this only ever saves
time, it never decides anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from signoff.cli.check_options import CHECK_OPTIONS, github_base

if TYPE_CHECKING:
    from signoff.gate.start import RangeStart

#: Every spelling of every option of `signoff check` that takes a value, with its option.
_VALUED = {decl: opt for opt in CHECK_OPTIONS for decl in opt.decls if opt.kind != "flag"}
#: Every spelling of its flags (they take no value and name no ref).
_FLAGS = frozenset(decl for opt in CHECK_OPTIONS for decl in opt.decls if opt.kind == "flag")


def refs(
    args: Sequence[str], environ: Mapping[str, str] = os.environ
) -> tuple[str, str, str] | None:
    """(repository, base, head) of `check` arguments as click will read them, or None when
    this parser is not sure: then nothing is started."""
    given: dict[str, str] = {}
    i = 0
    while i < len(args):
        if args[i] in _FLAGS:
            i += 1
            continue
        name, eq, value = args[i].partition("=")
        opt = _VALUED.get(name)
        if opt is None or (eq and not name.startswith("--")):
            return None  # a flag, --help, a positional argument, or a short option with "="
        if not eq:
            i += 1
            if i == len(args):
                return None
            value = args[i]
        given[opt.dest] = value
        i += 1
    found = {}
    for opt in CHECK_OPTIONS:
        if opt.dest in ("repo", "base", "head"):
            env = environ.get(opt.envvar) if opt.envvar else None
            found[opt.dest] = given.get(opt.dest) or env or opt.default
    base = found["base"] or github_base(environ)
    if not base:
        return None
    return str(found["repo"]), base, str(found["head"])


def start(args: Sequence[str]) -> RangeStart | None:
    """The gate's git work begun for these `check` arguments, when they are plain enough; the
    caller owns the handle and closes it."""
    found = refs(args)
    if found is None:
        return None
    from signoff.gate.start import RangeStart

    try:
        return RangeStart(*found)
    except Exception:  # the check redoes this work and reports any failure itself
        return None
