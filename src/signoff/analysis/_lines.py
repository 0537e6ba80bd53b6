"""Line helpers the secrets scan needs on every changed file, kept free of imports so that
scanning an ordinary source file loads no parser (see `signoff.analysis` on lazy loading)."""

from __future__ import annotations

#: Bytes inspected for a NUL when deciding whether content is binary (git uses the same size).
BINARY_SNIFF = 8000


def is_binary(data: bytes | None) -> bool:
    return data is not None and b"\x00" in data[:BINARY_SNIFF]


def added_lines(old: str | None, new: str) -> list[tuple[int, str]]:
    """Lines of `new` (with line numbers) that do not occur anywhere in `old`.

    A set difference rather than a minimal diff: linear on 30,000-entry lockfiles, and a line
    that already existed elsewhere in the old file is not new content.
    """
    numbered = list(enumerate(new.splitlines(), start=1))
    if not old:
        return numbered
    seen = frozenset(old.splitlines())
    return [pair for pair in numbered if pair[1] not in seen]
