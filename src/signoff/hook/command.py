"""`signoff hook pre-receive`: the CLI's click command, built from `signoff.hook.options`.

The installed hook does not load click: it runs `python -m signoff.hook pre-receive`
(`signoff.hook.__main__`), which parses the same `OPTIONS` itself. Both call
`signoff.hook.entry.pre_receive`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from signoff.hook.options import MODES as _MODE_NAMES
from signoff.hook.options import OPTIONS

MODES = click.Choice(list(_MODE_NAMES))


def _options(f: Callable[..., Any]) -> Callable[..., Any]:
    for o in reversed(OPTIONS):
        kind: Any = (
            click.Choice(list(o.choices))
            if o.choices
            else click.Path(file_okay=False, path_type=Path)
            if o.is_dir
            else str
        )
        f = click.option(
            o.flag, o.dest, type=kind, default=o.default, show_default=o.default is not None,
            help=o.help,
        )(f)  # fmt: skip
    return f


@click.command("pre-receive")
@_options
def pre_receive(**opts: Any) -> None:
    """Read `<old> <new> <ref>` lines on stdin; exit 1 (refuse) or 0 (accept)."""
    from signoff.hook.entry import pre_receive as run

    sys.exit(run({k: None if v is None else str(v) for k, v in opts.items()}))
