"""The options of `pre-receive`, defined once for both of its entry points.

`signoff hook pre-receive` (the CLI, with click) and `python -m signoff.hook pre-receive` (what
the installed script runs, without click) both build their parser from `OPTIONS`. This module
imports only the standard library, so the installed hook starts fast.
"""

from __future__ import annotations

from typing import NamedTuple

MODES = ("refuse", "remote-user")


class Option(NamedTuple):
    flag: str
    dest: str
    help: str
    default: str | None = None
    choices: tuple[str, ...] = ()
    is_dir: bool = False


OPTIONS = (
    Option("--server", "server", "Control plane URL (credential: $SIGNOFF_HOOK_TOKEN or file)."),
    Option(
        "--data-dir",
        "data_dir",
        "Use the control plane's data dir directly (same host).",
        is_dir=True,
    ),
    Option("--database-url", "database_url", "With --data-dir: the server's database URL."),
    Option(
        "--repo", "repo_dir", "The bare repository (default: current directory).", ".", is_dir=True
    ),
    Option("--repo-name", "repo_name", "The repository's name on the control plane."),
    Option(
        "--no-token-mode",
        "no_token_mode",
        "Pushes without a token: refuse, or accept as $REMOTE_USER (a known human, never "
        "an agent), whose updates of protected branches pass the gate.",
        "refuse",
        MODES,
    ),
)


class UsageError(Exception):
    """A bad command line: one line, exit 2."""


def usage() -> str:
    lines = ["usage: python -m signoff.hook pre-receive [OPTIONS] < ref updates", ""]
    for o in OPTIONS:
        default = f" (default: {o.default})" if o.default is not None else ""
        lines.append(f"  {o.flag} {o.dest.upper()}  {o.help}{default}")
    return "\n".join(lines)


def parse(argv: list[str]) -> dict[str, str | None]:
    """`--flag value` and `--flag=value`, each flag at most once; anything else is refused."""
    by_flag = {o.flag: o for o in OPTIONS}
    out: dict[str, str | None] = {o.dest: o.default for o in OPTIONS}
    seen: set[str] = set()
    args = list(argv)
    while args:
        arg = args.pop(0)
        flag, eq, value = arg.partition("=")
        opt = by_flag.get(flag)
        if opt is None:
            raise UsageError(f"unknown option {arg!r} (see --help)")
        if flag in seen:
            raise UsageError(f"{flag} given twice")
        seen.add(flag)
        if not eq:
            if not args:
                raise UsageError(f"{flag} needs a value")
            value = args.pop(0)
        if opt.choices and value not in opt.choices:
            raise UsageError(f"{flag}: {value!r} is not one of {', '.join(opt.choices)}")
        out[opt.dest] = value
    return out
