"""Helpers shared by the CLI commands: output writing and the format option."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from signoff.errors import Error


def write_output(text: str, output: Path | None) -> None:
    """Print, or write to a file atomically: a failed run never leaves a half-written report."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        special = output.exists() and not output.is_file()
        if special:  # /dev/null, a FIFO: write into it, never rename a file over it
            with output.open("w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(text)
            return
        directory = output.parent if str(output.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(text)
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise Error(f"cannot write {output}: {exc.strerror}") from None


repo_option = click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The git repository.",
)
