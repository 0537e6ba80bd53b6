"""Line helpers the secrets scan needs on every changed file, kept free of imports so that
scanning an ordinary source file loads no parser (see `signoff.analysis` on lazy loading)."""

from __future__ import annotations

from collections.abc import Iterator

#: Bytes inspected for a NUL when deciding whether content is binary (git uses the same size).
BINARY_SNIFF = 8000


def is_binary(data: bytes | None) -> bool:
    return data is not None and b"\x00" in data[:BINARY_SNIFF]


def added_lines(old: str | None, new: str) -> Iterator[tuple[int, str]]:
    """Lines of `new` (with line numbers) that do not occur anywhere in `old`.

    A set difference rather than a minimal diff: linear on 30,000-entry lockfiles, and a line
    that already existed elsewhere in the old file is not new content.
    """
    seen = frozenset(old.splitlines()) if old else frozenset()
    for number, line in enumerate(new.splitlines(), start=1):
        if line not in seen:
            yield number, line
