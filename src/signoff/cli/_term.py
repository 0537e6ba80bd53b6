"""What the CLI does differently on a terminal: colour (`--color`, `NO_COLOR`) and progress.

The options themselves are declared with the others of `check` in `signoff.cli.check_options`.

Progress goes to standard error, only when standard error is a terminal and `--quiet` is not
given, so logs, pipes and CI never see it. It is a counter a callback bumps (one integer add
per item on the hot path) and redraws at most a few times a second, on one line.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import IO, Any, TypeVar


def use_color(choice: str, stream: IO[str] | None = None) -> bool:
    """`always` and `never` as said; `auto`: a terminal, `NO_COLOR` unset or empty, TERM
    not `dumb` (https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


T = TypeVar("T")


class Progress:
    """`signoff: <what> 12,345 ...` redrawn in place on a terminal's standard error."""

    EVERY = 0.25  # seconds between redraws

    def __init__(self, what: str, *, quiet: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.on = not quiet and self.stream.isatty()
        self.what = what
        self.count = 0
        self._next = time.monotonic() + self.EVERY
        self._drawn = False

    def tick(self, *_: Any) -> None:
        """Count one item (a callback's arguments are ignored)."""
        self.count += 1
        if self.on and not self.count & 0xFF and time.monotonic() >= self._next:
            self._draw()

    def wrap(self, then: Callable[[T, str], object] | None) -> Callable[[T, str], object]:
        """A callback that counts, then calls `then` (if any) with the same arguments."""

        def counted(item: T, text: str) -> object:
            self.tick()
            return then(item, text) if then is not None else None

        return counted

    def _draw(self) -> None:
        self.stream.write(f"\r\x1b[2Ksignoff: {self.what} {self.count:,}")
        self.stream.flush()
        self._drawn = True
        self._next = time.monotonic() + self.EVERY

    def done(self) -> None:
        """Erase the progress line, if one was drawn."""
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
